/* digits-model.c — being written */
