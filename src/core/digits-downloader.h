/* digits-downloader.h — fetching MNIST from the public mirrors (libsoup 3), verified.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Called on the caller's main context, a few times a second at most. */
typedef void (*DigitsDownloadProgressFunc) (guint64     received,
                                            guint64     total,
                                            const char *file_name,
                                            gpointer    user_data);

/* Where a download goes: $XDG_DATA_HOME/digits/mnist. */
char  *digits_download_get_default_folder (void);

/* The mirrors' base URLs, tried in order: $DIGITS_MNIST_MIRROR (several may be given,
 * separated by spaces) or the usual public ones. */
GStrv  digits_download_get_mirrors        (void);

/* Fetches the four MNIST files into folder (NULL: the default one), each from the first
 * mirror that serves it whole, checks every file's MD5 (of its uncompressed content)
 * and only then writes them, atomically: a failed or cancelled download leaves nothing
 * half-written behind. */
void   digits_download_mnist_async        (const char                 *folder,
                                           GCancellable               *cancellable,
                                           DigitsDownloadProgressFunc  progress,
                                           gpointer                    progress_data,
                                           GDestroyNotify              progress_notify,
                                           GAsyncReadyCallback         callback,
                                           gpointer                    user_data);
/* Returns the folder the files are in, or NULL with an error a person can act on. */
char  *digits_download_mnist_finish       (GAsyncResult               *result,
                                           GError                    **error);

G_END_DECLS
