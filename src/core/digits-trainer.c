/* digits-trainer.c — being written */
