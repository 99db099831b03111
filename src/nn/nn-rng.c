/* nn-rng.c — being written */
