package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jmoiron/sqlx"
)

// Blob describes a stored file.
type Blob struct {
	Key         string    `db:"key"`
	ContentType string    `db:"content_type"`
	Size        int64     `db:"size"`
	SHA256      []byte    `db:"sha256"`
	FileName    string    `db:"file_name"` // the name to download it under
	CreatedAt   time.Time `db:"created_at"`
}

// Blobs keeps uploaded files. The default (Store.Blobs) keeps them in PostgreSQL, so every instance
// serves every file with no shared disk; an object store can take its place behind this interface.
type Blobs interface {
	// Put stores what r yields under a new key, computing its size and SHA-256 on the way.
	Put(ctx context.Context, contentType, fileName string, r io.Reader) (Blob, error)
	// Open returns a blob's description and content; the caller closes the reader.
	Open(ctx context.Context, key string) (Blob, io.ReadCloser, error)
	// Delete removes a blob; a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Blobs returns the file storage kept in this database.
func (s *Store) Blobs() Blobs { return dbBlobs{s} }

// blobChunk is the size of the rows a file is split into, so that neither writing nor serving a
// file holds more than one chunk in memory.
const blobChunk = 256 << 10

type dbBlobs struct{ s *Store }

func (b dbBlobs) Put(ctx context.Context, contentType, fileName string, r io.Reader) (Blob, error) {
	blob := Blob{Key: newUUID(), ContentType: contentType, FileName: fileName}
	buf := make([]byte, blobChunk)
	attempts := 0
	err := b.s.inTx(ctx, func(tx *sqlx.Tx) error {
		// A retried transaction reads the content again from the start, which only a seekable
		// reader (the spooled upload) can give.
		if attempts++; attempts > 1 {
			sk, ok := r.(io.Seeker)
			if !ok {
				return errors.New("store: file write conflicted and its content cannot be read again")
			}
			if _, err := sk.Seek(0, io.SeekStart); err != nil {
				return fmt.Errorf("store: unable to rewind file: %w", err)
			}
		}
		h := sha256.New()
		var size int64
		for seq := 0; ; seq++ {
			n, rerr := io.ReadFull(r, buf)
			if n > 0 {
				h.Write(buf[:n])
				size += int64(n)
				if _, err := tx.ExecContext(ctx, `INSERT INTO blob_chunks (blob_key, seq, data) VALUES ($1, $2, $3)`,
					blob.Key, seq, buf[:n]); err != nil {
					return fmt.Errorf("store: unable to write file: %w", err)
				}
			}
			if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
				break
			}
			if rerr != nil {
				return fmt.Errorf("store: unable to read file: %w", rerr)
			}
		}
		blob.Size, blob.SHA256 = size, h.Sum(nil)
		return tx.GetContext(ctx, &blob.CreatedAt, `
			INSERT INTO blobs (key, content_type, size, sha256, file_name) VALUES ($1, $2, $3, $4, $5)
			RETURNING created_at`, blob.Key, blob.ContentType, blob.Size, blob.SHA256, blob.FileName)
	})
	if err != nil {
		return Blob{}, err
	}
	return blob, nil
}

func (b dbBlobs) Open(ctx context.Context, key string) (Blob, io.ReadCloser, error) {
	var blob Blob
	err := b.s.db.GetContext(ctx, &blob, `SELECT key, content_type, size, sha256, file_name, created_at FROM blobs WHERE key = $1`, key)
	if err != nil {
		return Blob{}, nil, notFoundIf(err, "file")
	}
	return blob, &chunkReader{ctx: ctx, db: b.s.db, blob: blob}, nil
}

func (b dbBlobs) Delete(ctx context.Context, key string) error {
	if _, err := b.s.db.ExecContext(ctx, `DELETE FROM blobs WHERE key = $1`, key); err != nil {
		return fmt.Errorf("store: unable to delete file: %w", err)
	}
	return nil
}

// chunkReader reads a blob one chunk row at a time. Blobs never change once written, so the rows
// need no transaction around them.
type chunkReader struct {
	ctx  context.Context
	db   *sqlx.DB
	blob Blob
	seq  int
	cur  []byte
	read int64
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.read >= r.blob.Size {
			return 0, io.EOF
		}
		err := r.db.GetContext(r.ctx, &r.cur, `SELECT data FROM blob_chunks WHERE blob_key = $1 AND seq = $2`, r.blob.Key, r.seq)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("store: file %s ends after %d of %d bytes: %w", r.blob.Key, r.read, r.blob.Size, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return 0, fmt.Errorf("store: unable to read file: %w", err)
		}
		r.seq++
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	r.read += int64(n)
	return n, nil
}

func (r *chunkReader) Close() error { return nil }
