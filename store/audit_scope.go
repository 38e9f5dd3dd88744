package store

// auditTagScopeSQL is the SQL condition that the audit entry a is visible under the tag
// restrictions of the operator whose id is the query parameter viewerParam: the entry is about no
// cardholder (a login, a partner setting, a top-up, a stock card), or about a cardholder the
// operator may see (TagVisibleSQL). An entry is about the cardholder it names (object type
// cardholder), the holder of the card it names (card) or the client of the request it names
// (client_request); an object id that is not a number (a bulk action) names none.
func auditTagScopeSQL(viewerParam string) string {
	subject := `(CASE WHEN a.object_id ~ '^[0-9]{1,18}$' THEN CASE a.object_type
	        WHEN 'cardholder' THEN a.object_id::bigint
	        WHEN 'card' THEN (SELECT c.cardholder_id FROM cards c WHERE c.id = a.object_id::bigint)
	        WHEN 'client_request' THEN (SELECT r.cardholder_id FROM client_requests r WHERE r.id = a.object_id::bigint)
	      END END)`
	return `(a.partner_id IS NULL OR ` + subject + ` IS NULL OR ` + TagVisibleSQL(subject, "a.partner_id", viewerParam) + `)`
}
