/* digits-downloader.c — fetching MNIST from the public mirrors (libsoup 3), verified.
 *
 * One GTask thread with its own SoupSession and libsoup's blocking API: the four files
 * are small (11 MB in all), so each is read into memory, un-gzipped and checked against
 * the MD5 the MNIST site publishes before anything touches the disk. Progress is handed
 * to the caller's main context through idle callbacks.
 *
 * Copyright 2024 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "digits-dataset.h"
#include "digits-downloader.h"

#define MAX_DOWNLOAD_BYTES   (64u * 1024u * 1024u)
#define PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)
#define READ_CHUNK           (64 * 1024)

typedef struct
{
  const char *name;
  const char *md5;         /* of the uncompressed file, as published */
  guint64     size;        /* of the .gz, for the progress bar */
} MnistFile;

static const MnistFile mnist_files[] = {
  { "train-images-idx3-ubyte.gz", "6bbc9ace898e44ae57da46a324031adb", 9912422 },
  { "train-labels-idx1-ubyte.gz", "a25bea736e30d166cdddb491f175f624", 28881 },
  { "t10k-images-idx3-ubyte.gz", "2646ac647ad5339dbf082846283269ea", 1648877 },
  { "t10k-labels-idx1-ubyte.gz", "27ae3e4e09519cfbb04c329615203637", 4542 },
};

static const char * const default_mirrors[] = {
  "https://ossci-datasets.s3.amazonaws.com/mnist/",
  "https://storage.googleapis.com/cvdf-datasets/mnist/",
  NULL
};

/* Shared by the thread and the main context; the progress function is only called on
 * the latter, and never after the download finished. */
typedef struct
{
  DigitsDownloadProgressFunc progress;
  gpointer                   progress_data;
  GDestroyNotify             progress_notify;
  GMainContext              *context;
  gboolean                   finished;        /* main context only */
} DownloadState;

typedef struct
{
  DownloadState *state;
  guint64        received;
  guint64        total;
  char          *file_name;
} ProgressUpdate;

typedef struct
{
  char          *folder;
  GStrv          mirrors;
  DownloadState *state;
} DownloadJob;

static void
download_state_free (DownloadState *state)
{
  if (state->progress_notify != NULL)
    state->progress_notify (state->progress_data);
  g_main_context_unref (state->context);
}

static void
download_job_free (gpointer data)
{
  DownloadJob *job = data;

  g_free (job->folder);
  g_strfreev (job->mirrors);
  g_atomic_rc_box_release_full (job->state, (GDestroyNotify) download_state_free);
  g_free (job);
}

char *
digits_download_get_default_folder (void)
{
  return g_build_filename (g_get_user_data_dir (), "digits", "mnist", NULL);
}

GStrv
digits_download_get_mirrors (void)
{
  const char *env = g_getenv ("DIGITS_MNIST_MIRROR");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (env != NULL && *env != '\0')
    {
      g_auto (GStrv) parts = g_strsplit_set (env, " \t\n", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        if (*parts[i] != '\0')
          g_strv_builder_add (builder, parts[i]);
    }
  else
    {
      g_strv_builder_addv (builder, (const char **) default_mirrors);
    }

  return g_strv_builder_end (builder);
}

/* ---- progress ---- */

static gboolean
deliver_progress_cb (gpointer data)
{
  ProgressUpdate *update = data;
  DownloadState *state = update->state;

  if (!state->finished && state->progress != NULL)
    state->progress (update->received, update->total, update->file_name, state->progress_data);

  return G_SOURCE_REMOVE;
}

static void
progress_update_free (gpointer data)
{
  ProgressUpdate *update = data;

  g_atomic_rc_box_release_full (update->state, (GDestroyNotify) download_state_free);
  g_free (update->file_name);
  g_free (update);
}

static void
post_progress (DownloadJob *job,
               guint64      received,
               guint64      total,
               const char  *file_name)
{
  ProgressUpdate *update;
  GSource *source;

  if (job->state->progress == NULL)
    return;

  update = g_new0 (ProgressUpdate, 1);
  update->state = g_atomic_rc_box_acquire (job->state);
  update->received = received;
  update->total = MAX (total, received);
  update->file_name = g_strdup (file_name);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_progress_cb, update, progress_update_free);
  g_source_set_static_name (source, "[digits] download progress");
  g_source_attach (source, job->state->context);
  g_source_unref (source);
}

/* ---- one file ---- */

static GBytes *
gunzip (GBytes  *compressed,
        GError **error)
{
  g_autoptr (GZlibDecompressor) decompressor =
    g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr (GInputStream) base = g_memory_input_stream_new_from_bytes (compressed);
  g_autoptr (GInputStream) stream = g_converter_input_stream_new (base,
                                                                  G_CONVERTER (decompressor));
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (out, stream,
                              G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                              NULL, error) < 0)
    return NULL;

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static gboolean
verify (const MnistFile  *file,
        GBytes           *data,
        GError          **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) plain = gunzip (data, &local_error);
  g_autofree char *md5 = NULL;

  if (plain == NULL)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s is damaged: %s"), file->name, local_error->message);
      return FALSE;
    }

  md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, plain);
  if (g_strcmp0 (md5, file->md5) != 0)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_CORRUPT,
                   _("%s failed its checksum test (MD5 %s, expected %s)"),
                   file->name, md5, file->md5);
      return FALSE;
    }

  return TRUE;
}

static GBytes *
fetch (DownloadJob     *job,
       SoupSession     *session,
       const char      *mirror,
       const MnistFile *file,
       guint64          done_before,
       guint64          total,
       GCancellable    *cancellable,
       GError         **error)
{
  g_autofree char *uri = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  gint64 last_report = 0;
  guint status;

  uri = g_str_has_suffix (mirror, "/") ? g_strconcat (mirror, file->name, NULL)
                                       : g_strconcat (mirror, "/", file->name, NULL);
  message = soup_message_new (SOUP_METHOD_GET, uri);
  if (message == NULL)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED, _("“%s” is not a valid address"),
                   uri);
      return NULL;
    }

  stream = soup_session_send (session, message, cancellable, error);
  if (stream == NULL)
    return NULL;

  status = soup_message_get_status (message);
  if (status != SOUP_STATUS_OK)
    {
      g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_NOT_FOUND, _("the server answered %u %s"),
                   status, soup_message_get_reason_phrase (message));
      return NULL;
    }

  for (;;)
    {
      guint8 chunk[READ_CHUNK];
      gssize n = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, error);
      gint64 now;

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (buffer->len + (guint64) n > MAX_DOWNLOAD_BYTES)
        {
          g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_TOO_LARGE,
                       _("%s is larger than any MNIST file"), file->name);
          return NULL;
        }
      g_byte_array_append (buffer, chunk, n);

      now = g_get_monotonic_time ();
      if (now - last_report >= PROGRESS_INTERVAL_US)
        {
          post_progress (job, done_before + buffer->len, total, file->name);
          last_report = now;
        }
    }

  g_input_stream_close (stream, NULL, NULL);
  post_progress (job, done_before + buffer->len, total, file->name);

  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

/* ---- writing ---- */

static void
remove_folder (const char *folder)
{
  for (guint i = 0; i < G_N_ELEMENTS (mnist_files); i++)
    {
      g_autofree char *path = g_build_filename (folder, mnist_files[i].name, NULL);

      g_unlink (path);
    }
  g_rmdir (folder);
}

/* Writes the files into a hidden sibling folder first, then moves them in place: a
 * reader never sees a part of a file, and a failure leaves the old files as they were. */
static gboolean
write_files (const char  *folder,
             GBytes     **data,
             GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (folder);
  g_autofree char *template = g_build_filename (parent, ".mnist-XXXXXX", NULL);
  char *temp;

  if (g_mkdir_with_parents (parent, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create the folder %s: %s"), parent, g_strerror (saved));
      return FALSE;
    }

  temp = g_mkdtemp (template);
  if (temp == NULL)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create a folder in %s: %s"), parent, g_strerror (saved));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (mnist_files); i++)
    {
      g_autofree char *path = g_build_filename (temp, mnist_files[i].name, NULL);
      gsize size;
      const char *bytes = g_bytes_get_data (data[i], &size);

      if (!g_file_set_contents (path, bytes, size, error))
        {
          remove_folder (temp);
          return FALSE;
        }
    }

  if (g_rename (temp, folder) == 0)
    return TRUE;

  /* The folder is there already (with older or other files): move file by file. */
  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved = errno;

      remove_folder (temp);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create the folder %s: %s"), folder, g_strerror (saved));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (mnist_files); i++)
    {
      g_autofree char *from = g_build_filename (temp, mnist_files[i].name, NULL);
      g_autofree char *to = g_build_filename (folder, mnist_files[i].name, NULL);

      if (g_rename (from, to) != 0)
        {
          int saved = errno;

          remove_folder (temp);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Could not write %s: %s"), to, g_strerror (saved));
          return FALSE;
        }
    }
  g_rmdir (temp);

  return TRUE;
}

/* ---- the thread ---- */

/* One file from the first mirror that gives it whole; *done grows by its size. NULL with
 * @error set when cancelled or when no mirror gave it (every mirror's reason said). */
static GBytes *
fetch_from_mirrors (DownloadJob      *job,
                    SoupSession      *session,
                    const MnistFile  *file,
                    guint64          *done,
                    guint64           total,
                    GCancellable     *cancellable,
                    GError          **error)
{
  g_autoptr (GString) reasons = g_string_new (NULL);
  gboolean all_unreachable = TRUE;

  for (guint m = 0; job->mirrors[m] != NULL; m++)
    {
      g_autoptr (GError) mirror_error = NULL;
      g_autoptr (GUri) uri = g_uri_parse (job->mirrors[m], G_URI_FLAGS_NONE, NULL);
      const char *host = uri != NULL && g_uri_get_host (uri) != NULL
                         ? g_uri_get_host (uri) : job->mirrors[m];
      GBytes *bytes;

      bytes = fetch (job, session, job->mirrors[m], file, *done, total, cancellable,
                     &mirror_error);
      if (bytes != NULL && !verify (file, bytes, &mirror_error))
        g_clear_pointer (&bytes, g_bytes_unref);

      if (bytes != NULL)
        {
          *done += g_bytes_get_size (bytes);
          return bytes;
        }

      if (g_error_matches (mirror_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&mirror_error));
          return NULL;
        }

      /* Try the next mirror; remember why this one failed. */
      if (mirror_error->domain != G_RESOLVER_ERROR && mirror_error->domain != G_IO_ERROR)
        all_unreachable = FALSE;
      g_debug ("Download of %s from %s failed: %s", file->name, job->mirrors[m],
               mirror_error->message);
      if (reasons->len > 0)
        g_string_append (reasons, "; ");
      g_string_append_printf (reasons, "%s: %s", host, mirror_error->message);
      post_progress (job, *done, total, file->name);
    }

  if (all_unreachable)
    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                 _("no mirror could be reached; is this computer online? (%s)"),
                 reasons->str);
  else
    g_set_error (error, DIGITS_ERROR, DIGITS_ERROR_FAILED,
                 _("Could not download %s (%s)"), file->name, reasons->str);
  return NULL;
}

static void
download_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  DownloadJob *job = task_data;
  g_autoptr (SoupSession) session = NULL;
  GBytes *data[G_N_ELEMENTS (mnist_files)] = { NULL, };
  guint64 total = 0, done = 0;
  GError *error = NULL;

  session = soup_session_new_with_options ("timeout", 60, "idle-timeout", 60,
                                           "user-agent", "Digits/" PACKAGE_VERSION " ",
                                           NULL);

  for (guint i = 0; i < G_N_ELEMENTS (mnist_files); i++)
    total += mnist_files[i].size;

  for (guint i = 0; i < G_N_ELEMENTS (mnist_files) && error == NULL; i++)
    data[i] = fetch_from_mirrors (job, session, &mnist_files[i], &done, total, cancellable,
                                  &error);

  if (error == NULL && !g_cancellable_set_error_if_cancelled (cancellable, &error))
    write_files (job->folder, data, &error);

  for (guint i = 0; i < G_N_ELEMENTS (mnist_files); i++)
    g_clear_pointer (&data[i], g_bytes_unref);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (job->folder), g_free);
}

static void
download_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *outer = user_data;
  DownloadJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  char *folder;

  /* From now on no progress reaches the caller. */
  job->state->finished = TRUE;

  folder = g_task_propagate_pointer (G_TASK (result), &error);
  if (folder != NULL)
    g_task_return_pointer (outer, folder, g_free);
  else
    g_task_return_error (outer, error);
  g_object_unref (outer);
}

void
digits_download_mnist_async (const char                 *folder,
                             GCancellable               *cancellable,
                             DigitsDownloadProgressFunc  progress,
                             gpointer                    progress_data,
                             GDestroyNotify              progress_notify,
                             GAsyncReadyCallback         callback,
                             gpointer                    user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) outer = NULL;
  DownloadJob *job;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (DownloadJob, 1);
  job->folder = folder != NULL ? g_strdup (folder) : digits_download_get_default_folder ();
  job->mirrors = digits_download_get_mirrors ();
  job->state = g_atomic_rc_box_new0 (DownloadState);
  job->state->progress = progress;
  job->state->progress_data = progress_data;
  job->state->progress_notify = progress_notify;
  job->state->context = g_main_context_ref_thread_default ();

  /* The outer task is what the caller sees; the inner one runs the thread, and its
   * completion marks the state finished before the caller hears of it. */
  outer = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (outer, digits_download_mnist_async);

  task = g_task_new (NULL, cancellable, download_done_cb, g_object_ref (outer));
  g_task_set_name (task, "digits-download-mnist");
  g_task_set_task_data (task, job, download_job_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, download_thread);
}

char *
digits_download_mnist_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
