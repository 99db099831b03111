/* digits-my-digits.h — the person's own examples, kept as PNG files in the common
 * image-folder layout:
 *
 *   DIR/<class>/NNNN.png     class 0 … 9, NNNN a number (at least four digits)
 *
 * Each file is the drawing as drawn (ink on paper, full resolution), so it is read through
 * the same image path as any file (digits_glyphs_from_file). Other tools may read and write
 * the folder; copying it is a backup. Digits never deletes or overwrites a file it did not
 * put there: a foreign or damaged file is skipped with a message naming it. Every write goes
 * to a temporary file first and is then moved to a free name without replacing anything.
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "digits-dataset.h"
#include "digits-preprocess.h"

G_BEGIN_DECLS

#define DIGITS_MY_DIGITS_CLASSES 10
/* A drawing is a few kilobytes; anything this large is not one of the person's digits. */
#define DIGITS_MY_DIGITS_MAX_FILE (8u * 1024u * 1024u)
/* File numbers go up to this (the name grows past four digits when needed). */
#define DIGITS_MY_DIGITS_MAX_NUMBER 99999999u

typedef struct _DigitsMyDigits DigitsMyDigits;

/* $XDG_DATA_HOME/digits/my-digits (newly allocated). */
char *digits_my_digits_default_dir (void);

/* Opens the store in dir and scans it. A folder that does not exist yet is an empty store
 * (it is made on the first add); dir being a file, or unreadable, is an error. */
DigitsMyDigits *digits_my_digits_open (const char *dir, GError **error);
void            digits_my_digits_free (DigitsMyDigits *store);
const char     *digits_my_digits_get_dir (const DigitsMyDigits *store);

/* Reads the folder again (after another program changed it). */
gboolean        digits_my_digits_rescan (DigitsMyDigits *store, GError **error);

/* Examples of a class, as file names ("0007.png"), in number order. Borrowed; valid until
 * the next change or rescan. Only well-named regular files are listed; whether their
 * contents are images is found when they are read (digits_my_digits_load). */
GPtrArray      *digits_my_digits_list  (const DigitsMyDigits *store, guint label);
guint           digits_my_digits_count (const DigitsMyDigits *store, guint label);
guint           digits_my_digits_total (const DigitsMyDigits *store);
/* What the last scan skipped and why, one message per entry naming it. Borrowed. */
GPtrArray      *digits_my_digits_skipped (const DigitsMyDigits *store);
/* Full path of an example (newly allocated). */
char           *digits_my_digits_path (const DigitsMyDigits *store, guint label,
                                       const char *name);

/* Adds an example; returns its new file name. png must be a PNG file's bytes. */
char *digits_my_digits_add_png     (DigitsMyDigits *store, guint label, GBytes *png,
                                    GError **error);
/* RGBA or RGB bytes (8 bits a channel, not premultiplied), written as PNG. */
char *digits_my_digits_add_pixels  (DigitsMyDigits *store, guint label, const guint8 *pixels,
                                    int width, int height, int stride, gboolean has_alpha,
                                    GError **error);
/* A drawing on a cairo image surface (e.g. the canvas' ink on paper), written as PNG. */
char *digits_my_digits_add_surface (DigitsMyDigits *store, guint label,
                                    cairo_surface_t *surface, GError **error);

/* What a deletion removed: enough to put it back. */
typedef struct {
  guint label;
  char *name;
  GBytes *png;
} DigitsRemovedExample;

void digits_removed_example_free (DigitsRemovedExample *removed);

/* Deletes one example (only a listed one). The file's bytes are read before it goes. */
DigitsRemovedExample *digits_my_digits_delete (DigitsMyDigits *store, guint label,
                                               const char *name, GError **error);
/* Undo: puts it back under its old name, or the next free one if that was taken since.
 * Returns the name used. */
char *digits_my_digits_restore (DigitsMyDigits *store, const DigitsRemovedExample *removed,
                                GError **error);

/* Moves an example to another class (an atomic rename that never replaces a file); returns
 * its new name there. */
char *digits_my_digits_relabel (DigitsMyDigits *store, guint label, const char *name,
                                guint new_label, GError **error);

/* Copies the examples of a folder in the same layout into the store, numbered after the
 * store's own. A file that is not a readable PNG with a digit is skipped; messages (may be
 * NULL) gets one line naming each. Returns the number copied, or -1 with error when the
 * store cannot be written (what was copied before stays). */
int digits_my_digits_import (DigitsMyDigits *store, const char *from_dir, GPtrArray *messages,
                             GError **error);
/* Copies the store's examples into to_dir in the same layout, never replacing a file there.
 * Returns the number copied, or -1 with error. */
int digits_my_digits_export (DigitsMyDigits *store, const char *to_dir, GPtrArray *messages,
                             GError **error);

/* Every example as its 28×28 network input (the image path digits-cli classify uses),
 * DIGITS_PIXELS bytes each: the PNGs are read one at a time and not kept. An unreadable or
 * damaged file is skipped with a message (messages may be NULL). The data set's names are
 * in the same order as its items when names is not NULL ("3/0007.png").
 * Returns a data set with n == 0 when there are no examples. */
DigitsDataset *digits_my_digits_load (DigitsMyDigits *store, GPtrArray *messages,
                                      GPtrArray **names, GCancellable *cancellable,
                                      GError **error);

/* The 28×28 input (bytes, 0 paper .. 255 ink) of one example file: its largest digit when
 * the image reader finds several marks. FALSE with an error naming the fault. */
gboolean digits_my_digits_read_example (const char *path, guint8 out[DIGITS_PIXELS],
                                        GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsMyDigits, digits_my_digits_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsRemovedExample, digits_removed_example_free)

G_END_DECLS
