/* nn-net.c — being written */
