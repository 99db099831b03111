/* digits-train-run.c — a training run on a thread of its own, reporting to the main loop.
 *
 * The thread first lowers its priority and only then creates the DigitsTrainer, whose
 * worker threads inherit it. It talks to the main loop only by queueing events (heap
 * structs) under a mutex and scheduling one idle callback to hand them over; signals
 * are emitted there, never on the thread. Stopping cancels a GCancellable that the
 * trainer checks before every batch.
 *
 * Copyright 2026 The Digits authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "digits-train-run.h"

/* The trainer publishes a snapshot every 200 steps and after each epoch. */
#define SNAPSHOT_STEPS 200

/* ---- data shared between runs ---- */

static void
train_data_clear (gpointer data)
{
  DigitsTrainData *self = data;

  g_free (self->folder);
  g_clear_pointer (&self->train, digits_dataset_free);
  g_clear_pointer (&self->test, digits_dataset_free);
}

DigitsTrainData *
digits_train_data_ref (DigitsTrainData *data)
{
  return g_atomic_rc_box_acquire (data);
}

void
digits_train_data_unref (DigitsTrainData *data)
{
  g_atomic_rc_box_release_full (data, train_data_clear);
}

/* ---- events, from the thread to the main loop ---- */

typedef enum {
  EVENT_LOADED,
  EVENT_PROGRESS,
  EVENT_FINISHED,
} EventKind;

typedef struct
{
  EventKind            kind;
  DigitsTrainProgress  progress;
  DigitsModel         *model;      /* a newer snapshot, or NULL */
} Event;

static void
event_free (gpointer data)
{
  Event *event = data;

  g_clear_pointer (&event->model, digits_model_free);
  g_free (event);
}

struct _DigitsTrainRun
{
  GObject              parent_instance;

  /* set before the thread starts */
  DigitsTrainConfig    config;
  char                *folder;
  char                *dataset_name;
  guint                subset;
  int                  nice;
  GCancellable        *cancellable;
  GMainContext        *context;

  /* the thread's own until it ends; read on the main thread after "finished" */
  GThread             *thread;
  DigitsTrainData     *data;
  DigitsTrainer       *trainer;
  guint64              snapshot_bucket;
  DigitsModel         *model;
  GError              *error;
  gint64               finished_time;

  /* the hand-over */
  GMutex               lock;
  GQueue               events;
  GSource             *idle;

  /* main thread only */
  gboolean             loaded;
  gboolean             abandoned;
};

G_DEFINE_FINAL_TYPE (DigitsTrainRun, digits_train_run, G_TYPE_OBJECT)

enum {
  SIGNAL_LOADED,
  SIGNAL_PROGRESS,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
dispatch_events_cb (gpointer data)
{
  DigitsTrainRun *self = data;
  GQueue events = G_QUEUE_INIT;
  Event *event;

  g_mutex_lock (&self->lock);
  events = self->events;
  g_queue_init (&self->events);
  g_clear_pointer (&self->idle, g_source_unref);
  g_mutex_unlock (&self->lock);

  g_object_ref (self);
  while ((event = g_queue_pop_head (&events)) != NULL)
    {
      /* A handler may abandon the run while events are being handed over. */
      if (!self->abandoned)
        switch (event->kind)
          {
          case EVENT_LOADED:
            self->loaded = TRUE;
            g_signal_emit (self, signals[SIGNAL_LOADED], 0);
            break;
          case EVENT_PROGRESS:
            g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, &event->progress, event->model);
            break;
          case EVENT_FINISHED:
            digits_train_run_join (self);
            g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
            break;
          default:
            g_assert_not_reached ();
          }
      event_free (event);
    }
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static void
post_event (DigitsTrainRun *self,
            Event          *event)
{
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->events, event);
  if (self->idle == NULL)
    {
      /* The source holds the run: it lives until its events are handed over. */
      self->idle = g_idle_source_new ();
      g_source_set_priority (self->idle, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (self->idle, dispatch_events_cb, g_object_ref (self),
                             g_object_unref);
      g_source_attach (self->idle, self->context);
    }
  g_mutex_unlock (&self->lock);
}

/* ---- the thread ---- */

void
digits_lower_thread_priority (int nice)
{
  /* On Linux a nice value belongs to a thread; threads created from here inherit it. */
  if (nice > 0 && setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), nice) != 0)
    g_debug ("Could not lower a thread's priority: %s", g_strerror (errno));
}

static void
progress_cb (const DigitsTrainProgress *progress,
             gpointer                   user_data)
{
  DigitsTrainRun *self = user_data;
  Event *event = g_new0 (Event, 1);
  guint64 bucket = progress->step / SNAPSHOT_STEPS;

  event->kind = EVENT_PROGRESS;
  event->progress = *progress;
  if (progress->event == DIGITS_TRAIN_EPOCH_DONE || bucket != self->snapshot_bucket)
    {
      event->model = digits_trainer_snapshot (self->trainer);
      self->snapshot_bucket = bucket;
    }

  post_event (self, event);
}

static gboolean
read_data (DigitsTrainRun *self)
{
  DigitsDataset *train = NULL, *test = NULL;

  if (self->data != NULL)
    return TRUE;

  if (!digits_dataset_load_mnist_dir (self->folder, &train, &test, &self->error))
    return FALSE;

  self->data = g_atomic_rc_box_new0 (DigitsTrainData);
  self->data->folder = g_strdup (self->folder);
  self->data->train = train;
  self->data->test = test;
  return TRUE;
}

static void
train (DigitsTrainRun *self)
{
  g_autoptr (DigitsDataset) subset = NULL;
  DigitsDataset *train = self->data->train;
  Event *event = g_new0 (Event, 1);

  event->kind = EVENT_LOADED;
  post_event (self, event);

  if (self->subset > 0 && self->subset < train->n)
    train = subset = digits_dataset_slice (train, 0, self->subset);

  /* Created here, after the priority was lowered, so that its workers inherit it. */
  self->trainer = digits_trainer_new (&self->config, train, self->data->test, &self->error);
  if (self->trainer == NULL)
    return;

  digits_trainer_run (self->trainer, progress_cb, self, self->cancellable, &self->error);
  self->model = digits_trainer_snapshot (self->trainer);
  if (self->model != NULL)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *created = g_date_time_format_iso8601 (now);

      if (self->dataset_name != NULL)
        digits_model_set_meta (self->model, "dataset", self->dataset_name);
      digits_model_set_meta (self->model, "created", created);
    }
  g_clear_pointer (&self->trainer, digits_trainer_free);
}

static gpointer
train_thread (gpointer data)
{
  DigitsTrainRun *self = data;
  Event *event;

  digits_lower_thread_priority (self->nice);

  if (read_data (self) &&
      !g_cancellable_set_error_if_cancelled (self->cancellable, &self->error))
    train (self);

  self->finished_time = g_get_monotonic_time ();
  event = g_new0 (Event, 1);
  event->kind = EVENT_FINISHED;
  post_event (self, event);

  return NULL;
}

/* ---- GObject ---- */

static void
digits_train_run_dispose (GObject *object)
{
  DigitsTrainRun *self = DIGITS_TRAIN_RUN (object);

  /* Not joined yet (never started, or dropped unfinished): stop and wait. */
  g_cancellable_cancel (self->cancellable);
  digits_train_run_join (self);

  G_OBJECT_CLASS (digits_train_run_parent_class)->dispose (object);
}

static void
digits_train_run_finalize (GObject *object)
{
  DigitsTrainRun *self = DIGITS_TRAIN_RUN (object);

  g_free (self->folder);
  g_free (self->dataset_name);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->data, digits_train_data_unref);
  g_clear_pointer (&self->model, digits_model_free);
  g_clear_error (&self->error);
  g_queue_clear_full (&self->events, event_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (digits_train_run_parent_class)->finalize (object);
}

static void
digits_train_run_class_init (DigitsTrainRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = digits_train_run_dispose;
  object_class->finalize = digits_train_run_finalize;

  signals[SIGNAL_LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_POINTER);
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
digits_train_run_init (DigitsTrainRun *self)
{
  g_mutex_init (&self->lock);
  g_queue_init (&self->events);
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
}

DigitsTrainRun *
digits_train_run_new (const DigitsTrainConfig *config,
                      const char              *folder,
                      DigitsTrainData         *data,
                      guint                    subset,
                      const char              *dataset_name,
                      int                      nice)
{
  DigitsTrainRun *self;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (folder != NULL || data != NULL, NULL);

  self = g_object_new (DIGITS_TYPE_TRAIN_RUN, NULL);
  self->config = *config;
  self->folder = g_strdup (folder != NULL ? folder : data->folder);
  self->data = data != NULL ? digits_train_data_ref (data) : NULL;
  self->subset = subset;
  self->dataset_name = g_strdup (dataset_name);
  self->nice = nice;

  return self;
}

gboolean
digits_train_run_start (DigitsTrainRun  *self,
                        GError         **error)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_RUN (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->loaded = self->data != NULL;
  self->thread = g_thread_try_new ("digits-train", train_thread, self, error);

  return self->thread != NULL;
}

void
digits_train_run_stop (DigitsTrainRun *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_RUN (self));

  g_cancellable_cancel (self->cancellable);
}

void
digits_train_run_abandon (DigitsTrainRun *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_RUN (self));

  self->abandoned = TRUE;
  g_cancellable_cancel (self->cancellable);
}

void
digits_train_run_join (DigitsTrainRun *self)
{
  g_return_if_fail (DIGITS_IS_TRAIN_RUN (self));

  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
}

gboolean
digits_train_run_is_loaded (DigitsTrainRun *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_RUN (self), FALSE);

  return self->loaded;
}

DigitsModel *
digits_train_run_take_model (DigitsTrainRun *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_RUN (self), NULL);
  g_return_val_if_fail (self->thread == NULL, NULL);

  return g_steal_pointer (&self->model);
}

const GError *
digits_train_run_get_error (DigitsTrainRun *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_RUN (self), NULL);
  g_return_val_if_fail (self->thread == NULL, NULL);

  return self->error;
}

DigitsTrainData *
digits_train_run_get_data (DigitsTrainRun *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_RUN (self), NULL);
  g_return_val_if_fail (self->thread == NULL, NULL);

  return self->data;
}

gint64
digits_train_run_get_finished_time (DigitsTrainRun *self)
{
  g_return_val_if_fail (DIGITS_IS_TRAIN_RUN (self), 0);

  return self->thread == NULL ? self->finished_time : 0;
}
