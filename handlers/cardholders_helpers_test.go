package handlers_test

import (
	"context"
	"encoding/json"
	"testing"

	"cardconsole/internal/apptest"
	"cardconsole/store"
)

// chStock issues n stock cards of the partner and returns their ids.
func chStock(t testing.TB, env *apptest.Env, partnerID int64, n int) []int64 {
	t.Helper()
	cards, err := env.Store.IssueCards(context.Background(), store.SystemActor("test"), partnerID, n)
	if err != nil {
		t.Fatalf("issue cards: %v", err)
	}
	ids := make([]int64, len(cards))
	for i, c := range cards {
		ids[i] = c.ID
	}
	return ids
}

// chAudit counts the audit rows of an action on an object.
func chAudit(t testing.TB, env *apptest.Env, action, objectID string) int {
	t.Helper()
	var n int
	if err := env.Store.DB().Get(&n, `SELECT count(*) FROM audit_log WHERE action = $1 AND object_id = $2`, action, objectID); err != nil {
		t.Fatalf("count audit rows: %v", err)
	}
	return n
}

// chBody is a valid create body for the card; tests change one field at a time.
func chBody(cardID int64, document string) map[string]any {
	return map[string]any{
		"name": "María José", "lastName": "Ramírez", "address": "Calle Principal 123, Zona 1",
		"countryOfBirth": "GT", "dateOfBirth": "1990-05-12", "maritalStatus": "soltero", "gender": "F",
		"phoneNumber": "50255551234", "email": "maria.ramirez@example.com", "documentType": "DPI",
		"documentNumber": document, "cardId": cardID,
	}
}

// jsonText is a test body value as a form would carry it.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
