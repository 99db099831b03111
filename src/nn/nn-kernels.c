/* nn-kernels.c — being written */
