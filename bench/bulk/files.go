package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// cardholderHeader is the cardholder file's header (the template's columns).
var cardholderHeader = []string{"name", "lastName", "address", "countryOfBirth", "dateOfBirth", "maritalStatus", "gender",
	"phoneNumber", "email", "documentType", "documentNumber", "cardId"}

var (
	firstNames = []string{"María", "José", "Ana", "Luis", "Carmen", "Jorge", "Lucía", "Carlos", "Sofía", "Miguel"}
	lastNames  = []string{"Ramírez", "Gómez", "Pérez", "López", "Hernández", "García", "Castañeda", "Xicará", "Álvarez", "Cojtí"}
)

// cardholderRow is the i-th row of the file: valid, unique by document, email and phone, with its
// address padded by pad characters, and a blank cardId (the next stock card).
func cardholderRow(i, pad int) []string {
	address := fmt.Sprintf("%da. Avenida %d-%d, Zona %d", i%30+1, i%97, i%89, i%25+1)
	if pad > 0 {
		address += ", " + strings.Repeat("x", pad)
	}
	first, last := firstNames[i%len(firstNames)], lastNames[(i/10)%len(lastNames)]
	return []string{first, last, address, "GT", fmt.Sprintf("19%02d-%02d-%02d", 50+i%50, 1+i%12, 1+i%28),
		"soltero", []string{"F", "M"}[i%2], fmt.Sprintf("502%08d", 30000000+i), fmt.Sprintf("bulk%d@correo.gt", i),
		"DPI", strconv.Itoa(3000000000000 + i), ""}
}

// writeCardholderFile writes a CSV of rows cardholder rows whose size is close to target bytes (the
// addresses are padded up to their 200-character limit) and returns its size.
func writeCardholderFile(path string, rows, target int) (int64, error) {
	plain := len(csvLine(cardholderHeader))
	for i := range rows {
		plain += len(csvLine(cardholderRow(i, 0)))
	}
	pad := 0
	if target > plain {
		pad = max(0, (target-plain)/rows-2)
	}
	longest := len([]rune(cardholderRow(rows, 0)[2])) + 2
	pad = min(pad, 200-longest)
	return writeCSV(path, cardholderHeader, rows, func(i int) []string { return cardholderRow(i, pad) })
}

// writePayoutFile writes one payout row per card, a fresh reference each.
func writePayoutFile(path string, cards []int64) error {
	_, err := writeCSV(path, []string{"cardId", "amount", "reference", "description"}, len(cards), func(i int) []string {
		return []string{strconv.FormatInt(cards[i], 10), fmt.Sprintf("%d.%02d", 10+i%90, i%100), fmt.Sprintf("PAY-%06d", i), "payroll"}
	})
	return err
}

func writeCSV(path string, header []string, rows int, row func(int) []string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	w := csv.NewWriter(bw)
	if err := w.Write(header); err != nil {
		return 0, err
	}
	for i := range rows {
		if err := w.Write(row(i)); err != nil {
			return 0, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

func csvLine(cells []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(cells)
	w.Flush()
	return b.String()
}
