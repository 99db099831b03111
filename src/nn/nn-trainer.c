/* nn-trainer.c — being written */
