/* digits-dataset.h — IDX data sets (MNIST and its relatives) held as bytes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DIGITS_ERROR (digits_error_quark ())
GQuark digits_error_quark (void);

typedef enum {
  DIGITS_ERROR_FAILED,
  DIGITS_ERROR_NOT_FOUND,     /* a file or folder is missing */
  DIGITS_ERROR_CORRUPT,       /* bad magic, bad CRC, truncated, inconsistent */
  DIGITS_ERROR_TOO_LARGE,     /* a size over the limits we accept */
  DIGITS_ERROR_UNSUPPORTED,   /* a format version or kind we do not know */
  DIGITS_ERROR_NO_DIGIT,      /* an image with no ink */
} DigitsError;

/* Upper bounds checked before anything is allocated. */
#define DIGITS_IDX_MAX_ITEMS   (10u * 1000u * 1000u)
#define DIGITS_IDX_MAX_SIDE    1024u
#define DIGITS_IDX_MAX_BYTES   ((guint64) 1u << 30)   /* 1 GiB of pixels */

typedef struct {
  guint n;            /* items */
  guint rows, cols;   /* 28 × 28 for MNIST */
  guint8 *images;     /* n × rows × cols, row-major, 0 background .. 255 ink */
  guint8 *labels;     /* n class indices */
  guint n_classes;    /* 10 */
} DigitsDataset;

/* Reads an IDX image file and its label file (each gzip-compressed or raw,
 * told apart by content, not name). Errors name the file and the fault. */
DigitsDataset *digits_dataset_load_idx (const char *images_path,
                                        const char *labels_path,
                                        GError    **error);

/* The same from files already in memory (fuzzing, tests); the names are for messages. */
DigitsDataset *digits_dataset_load_idx_bytes (GBytes     *images,
                                              const char *images_name,
                                              GBytes     *labels,
                                              const char *labels_name,
                                              GError    **error);

/* Reads train-{images,labels}-idx?-ubyte[.gz] and t10k-... from a folder.
 * Either out pointer may be NULL to skip that half. */
gboolean digits_dataset_load_mnist_dir (const char     *dir,
                                        DigitsDataset **train,
                                        DigitsDataset **test,
                                        GError        **error);

/* A new data set holding items [start, start + n) (copied). */
DigitsDataset *digits_dataset_slice (const DigitsDataset *set, guint start, guint n);
DigitsDataset *digits_dataset_new   (guint n, guint rows, guint cols, guint n_classes);
void           digits_dataset_free  (DigitsDataset *set);

/* Where MNIST is looked for, in order: $DIGITS_MNIST_DIR, $XDG_DATA_HOME/digits/mnist,
 * /usr/share/datasets/mnist. Returns the first folder that holds the files, or NULL. */
char *digits_dataset_find_mnist (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DigitsDataset, digits_dataset_free)

G_END_DECLS
