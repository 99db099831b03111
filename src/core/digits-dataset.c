/* digits-dataset.c — being written */
