package web

import "testing"

// TestRefusalNamesThePermissionInWords: a refusal for want of a permission tells people what the
// permission lets them do, in their language; the API in English keeps its message.
func TestRefusalNamesThePermissionInWords(t *testing.T) {
	msg := "you need the permission approvals:update on this request's partner"
	env := ErrorEnvelope{Message: msg, Errors: []ErrorDetail{{Code: "7005", Message: msg}}}
	for _, c := range []struct {
		lang  string
		words bool
		want  string
	}{
		{"es", true, "No tiene permiso para esto: hace falta el permiso «Aprobar y rechazar solicitudes». Pídaselo a un administrador del socio."},
		{"es", false, "No tiene permiso para esto: hace falta el permiso «Aprobar y rechazar solicitudes». Pídaselo a un administrador del socio."},
		{"en", true, "You are not allowed to do this: it takes the permission “Approve and reject requests”. Ask an administrator of the partner for it."},
		{"en", false, msg},
	} {
		got := translateEnvelope(env, c.lang, c.words)
		if got.Message != c.want || got.Errors[0].Message != c.want || got.Errors[0].Code != "7005" {
			t.Errorf("%s (words %v): %+v, want %q", c.lang, c.words, got, c.want)
		}
	}
	if got := translateMessage("you cannot grant users:update: you do not hold it on this partner", "7005", "es", true); got != "No puede conceder «Cambiar roles y permisos de los operadores, restablecer autenticadores»: usted no lo tiene en este socio." {
		t.Errorf("grant refusal: %q", got)
	}
	// A permission the catalogue does not know keeps the message as it is.
	if got := translateMessage("you need the permission nope:nothing", "7005", "en", true); got != "you need the permission nope:nothing" {
		t.Errorf("unknown permission: %q", got)
	}
}

// TestFieldMessagesOfPayloadsAndFilters: the fields of a request's payload and of the queue's
// filters are named in words, like any other field.
func TestFieldMessagesOfPayloadsAndFilters(t *testing.T) {
	for _, c := range []struct{ field, msg, lang, want string }{
		{"payload.amount", "amount is required", "es", "monto: es obligatorio"},
		{"payload.amount", "amount is required", "en", "amount is required"},
		{"payload.fromCardId", "fromCardId is required", "en", "source card is required"},
		{"filter[clientId]", "filter[clientId] must be a positive integer", "es", "número de cliente: debe ser un número entero positivo"},
		{"filter[statusId]", "statusId must be a number or all", "en", "status must be a number or all"},
		{"resolutionId", "resolutionId is required: pick the resolution to cite", "es", "resolución: es obligatoria; elija la resolución que cita"},
	} {
		if got := translateField(c.field, c.msg, "7000", c.lang, true); got != c.want {
			t.Errorf("%s %q in %s = %q, want %q", c.field, c.msg, c.lang, got, c.want)
		}
	}
}
