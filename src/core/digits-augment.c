/* digits-augment.c — being written */
