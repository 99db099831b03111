/* nn-layers.c — being written */
