package web

import (
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
)

// cleanQuery refuses a query string whose names or values hold a NUL byte or bytes that are not
// UTF-8: PostgreSQL refuses such text in a query, which would otherwise surface as a 500 on every
// list filter (searchText, the audit log's action and actor...). The error names the parameter.
func cleanQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var v store.Validation
		for name, values := range c.QueryParams() {
			if !plainText(name) {
				v.Add("query", "a query parameter name must be plain text")
				continue
			}
			for _, value := range values {
				if !plainText(value) {
					v.Add(name, name+" must be plain text: no NUL bytes, valid UTF-8")
					break
				}
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		return next(c)
	}
}

// plainText reports whether s can be stored as PostgreSQL text.
func plainText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
