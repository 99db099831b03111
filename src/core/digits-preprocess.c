/* digits-preprocess.c — being written */
