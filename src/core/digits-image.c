/* digits-image.c — being written */
