/* nn-opt.c — being written */
