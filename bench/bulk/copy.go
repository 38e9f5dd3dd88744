package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"cardconsole/internal/pgcluster"
)

// copyColumns are the cardholders columns the file's columns fill, in the file's order.
const copyColumns = "partner_id, name, last_name, address, country_of_birth, date_of_birth, marital_status, gender, " +
	"phone_number, email, document_type, document_number"

// psqlCopy loads the same rows into the same table with psql's \copy, for another partner (the rows
// are unique per partner), and returns its rate in rows per second. The file it reads is the
// cardholder file with the partner's id in front of each row and without the cardId column, which
// is not a column of cardholders; it is written before the clock starts.
func psqlCopy(ctx context.Context, dbURL, holders string, partnerID int64, o options) (float64, error) {
	path := filepath.Join(o.workDir, "copy.csv")
	if err := copyFile(holders, path, partnerID); err != nil {
		return 0, err
	}
	bin, err := pgcluster.FindBin()
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "psql"), dbURL, "-v", "ON_ERROR_STOP=1", "-q", "-c",
		fmt.Sprintf(`\copy cardholders (%s) FROM '%s' WITH (FORMAT csv, HEADER true)`, copyColumns, path))
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("psql \\copy: %w\n%s", err, out)
	}
	return float64(o.rows) / elapsed.Seconds(), nil
}

// copyFile writes the rows of the cardholder file at src to dst as \copy reads them.
func copyFile(src, dst string, partnerID int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	r, w := csv.NewReader(in), csv.NewWriter(out)
	pid := strconv.FormatInt(partnerID, 10)
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := w.Write(append([]string{pid}, row[:len(row)-1]...)); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
