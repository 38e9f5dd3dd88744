package main

import (
	"context"
	"fmt"

	"cardconsole/store"
)

// demoHolder is a demo cardholder and how far their cards got.
type demoHolder struct {
	partner                 string
	name, lastName, address string
	country, birth          string
	marital, gender         string
	phone, email            string
	docType, doc            string
	cards                   []string // the status each of their cards ends in
	linked                  *store.NewThirdPartyCard
}

// demoHolders: people of Quetzal Pay (GTQ) and Andes Wallet (USD). Several hold two ACTIVE cards so
// transfers between cards of one cardholder can be tried at once.
var demoHolders = []demoHolder{
	{"Quetzal Pay", "María José", "Ramírez Pérez", "6a. Avenida 12-34, Zona 1, Guatemala", "GT", "1990-05-12", "soltero", "F", "50255551234", "maria.ramirez@correo.gt", "DPI", "2345678901234", []string{"ACTIVE", "ACTIVE"}, &store.NewThirdPartyCard{Email: "mama.perez@correo.gt", Suffix: "4321", Alias: "Débito de mamá"}},
	{"Quetzal Pay", "José Luis", "Gómez Hernández", "Calzada Roosevelt 22-43, Zona 11, Guatemala", "GT", "1985-11-03", "casado", "M", "50244442211", "jl.gomez@correo.gt", "DPI", "1987654320101", []string{"ACTIVE", "ACTIVE"}, nil},
	{"Quetzal Pay", "Ana Lucía", "Castañeda Ortiz", "4a. Calle 3-15, Antigua Guatemala", "GT", "1996-02-29", "soltero", "F", "50233334455", "analucia.castaneda@correo.gt", "DPI", "3012456780301", []string{"ACTIVE"}, nil},
	{"Quetzal Pay", "Héctor", "Xicará Tuyuc", "Barrio El Centro, Chimaltenango", "GT", "1978-07-21", "viudo", "M", "50257778899", "hector.xicara@correo.gt", "DPI", "2567890120401", []string{"ACTIVE", "BLOCKED"}, nil},
	{"Quetzal Pay", "Sofía", "Méndez Álvarez", "Km 14.5 Carretera a El Salvador, Santa Catarina Pinula", "GT", "2001-09-15", "soltero", "F", "50259990011", "sofia.mendez@correo.gt", "DPI", "3456789010115", []string{"INACTIVE"}, nil},
	{"Quetzal Pay", "Óscar René", "Chávez Morales", "2a. Avenida 5-67, Zona 3, Quetzaltenango", "GT", "1982-01-30", "divorciado", "M", "50277761234", "oscar.chavez@correo.gt", "NIT", "4567890-K", []string{"ACTIVE", "ACTIVE"}, &store.NewThirdPartyCard{Email: "renata.chavez@correo.gt", Suffix: "8802", Alias: "Visa de Renata"}},
	{"Quetzal Pay", "Lucía Fernanda", "Pérez Saquic", "Lotificación Las Flores, Lote 8, Cobán", "GT", "1993-04-08", "casado", "F", "50279512233", "lucia.perez@correo.gt", "DPI", "2789012340601", []string{"ACTIVE"}, nil},
	{"Quetzal Pay", "Andrés", "Batz Cúmez", "Cantón San Antonio, Sololá", "GT", "1988-12-24", "separado", "M", "50277623344", "andres.batz@correo.gt", "DPI", "1678901230701", []string{"BLOCKED"}, nil},
	{"Quetzal Pay", "Gabriela", "Núñez Rodas", "Residenciales Los Álamos, Casa 14, Mixco", "GT", "1999-06-02", "soltero", "F", "50254320987", "gaby.nunez@correo.gt", "PASSPORT", "GT4455667", []string{"ACTIVE", "ACTIVE"}, nil},
	{"Quetzal Pay", "Raúl", "Ajú Chocooj", "Aldea Chuarrancho, Guatemala", "GT", "1975-03-17", "casado", "M", "50251112233", "raul.aju@correo.gt", "DPI", "2890123450801", []string{"ACTIVE"}, nil},
	{"Quetzal Pay", "Mónica", "Figueroa Lemus", "Boulevard Los Próceres 18-20, Zona 10, Guatemala", "GT", "1991-10-10", "divorciado", "F", "50242425566", "monica.figueroa@correo.gt", "DPI", "3123456780901", []string{"ACTIVE"}, nil},
	{"Quetzal Pay", "Julián", "Ixcoy Tzoc", "Zona 2, Totonicapán", "GT", "2003-08-05", "soltero", "M", "50277889900", "julian.ixcoy@correo.gt", "DPI", "3234567891001", []string{"INACTIVE"}, nil},
	{"Quetzal Pay", "Carmen Elena", "Sáenz de Tejada", "Avenida Las Américas 9-08, Zona 13, Guatemala", "GT", "1969-02-14", "viudo", "F", "50223456789", "carmen.saenz@correo.gt", "PASSPORT", "ES1234567", []string{"ACTIVE", "ACTIVE"}, nil},
	{"Quetzal Pay", "Iván", "Peñate Guzmán", "Colonia El Maestro, Escuintla", "SV", "1987-05-26", "casado", "M", "50278901122", "ivan.penate@correo.gt", "RESIDENCE_ID", "RES-2019-004512", []string{"ACTIVE"}, nil},
	{"Quetzal Pay", "Daniela", "Quiñónez Barrios", "3a. Calle 7-21, Zona 1, Huehuetenango", "GT", "1998-11-11", "soltero", "F", "50277645566", "daniela.quinonez@correo.gt", "DPI", "3345678901301", []string{"ACTIVE"}, nil},
	{"Quetzal Pay", "Tomás", "Cojtí Sicán", "Barrio San Sebastián, Retalhuleu", "GT", "1980-09-09", "casado", "M", "50277712345", "tomas.cojti@correo.gt", "DPI", "1456789011101", []string{"ACTIVE", "INACTIVE"}, nil},
	{"Quetzal Pay", "Valeria", "Montúfar Solís", "Condominio Vista Hermosa, Apto 3B, Zona 15, Guatemala", "MX", "1995-07-19", "soltero", "F", "50233221100", "valeria.montufar@correo.gt", "PASSPORT", "G12345678", []string{"ACTIVE"}, nil},
	{"Quetzal Pay", "Efraín", "López Tecún", "Aldea El Tablón, Sololá", "GT", "1972-04-04", "casado", "M", "50277654321", "efrain.lopez@correo.gt", "DPI", "1567890121201", []string{"ACTIVE"}, nil},
	{"Quetzal Pay", "Rocío", "Archila Muñoz", "Calle Real 45, Jalapa", "GT", "1989-12-01", "separado", "F", "50279223344", "rocio.archila@correo.gt", "DPI", "2678901231401", []string{"ACTIVE", "ACTIVE"}, nil},
	{"Quetzal Pay", "Nicolás", "Say Pérez", "Colonia La Reformita, Zona 12, Guatemala", "GT", "2000-01-20", "soltero", "M", "50247894561", "nicolas.say@correo.gt", "DPI", "3567890121501", []string{"INACTIVE"}, nil},
	{"Andes Wallet", "Camila", "Ñáñez Cárdenas", "Av. Amazonas N34-120, Quito", "EC", "1992-08-14", "soltero", "F", "593991234567", "camila.nanez@correo.ec", "PERSONAL_ID", "1712345678", []string{"ACTIVE", "ACTIVE"}, nil},
	{"Andes Wallet", "Sebastián", "Quispe Mamani", "Jr. Puno 455, Cusco", "PE", "1984-03-22", "casado", "M", "51984123456", "sebastian.quispe@correo.pe", "PERSONAL_ID", "45678912", []string{"ACTIVE"}, nil},
	{"Andes Wallet", "Isabel", "Gutiérrez Peña", "Calle 72 # 10-34, Bogotá", "CO", "1997-10-30", "soltero", "F", "573001234567", "isabel.gutierrez@correo.co", "PASSPORT", "AV123456", []string{"ACTIVE", "INACTIVE"}, nil},
	{"Andes Wallet", "Martín", "Villacrés Ortiz", "Malecón 2000, Guayaquil", "EC", "1979-06-06", "divorciado", "M", "593987654321", "martin.villacres@correo.ec", "LEGAL_ID", "0992345678001", []string{"BLOCKED"}, nil},
}

// demoStockCards is how many unassigned cards each partner keeps for new cardholders.
const demoStockCards = 10

// seedCardholders creates the demo cardholders with their cards, and some stock cards on each partner.
func seedCardholders(ctx context.Context, d *demo) error {
	for _, h := range demoHolders {
		if err := seedHolder(ctx, d, h); err != nil {
			return fmt.Errorf("cardholder %s %s: %w", h.name, h.lastName, err)
		}
	}
	for _, name := range []string{"Quetzal Pay", "Andes Wallet"} {
		if _, err := d.st.IssueCards(ctx, d.actor, d.partners[name], demoStockCards); err != nil {
			return err
		}
	}
	return nil
}

func seedHolder(ctx context.Context, d *demo, h demoHolder) error {
	pid := d.partners[h.partner]
	cards, err := d.st.IssueCards(ctx, d.actor, pid, len(h.cards))
	if err != nil {
		return err
	}
	ch, err := d.st.CreateCardholder(ctx, d.actor, pid, store.NewCardholder{Name: h.name, LastName: h.lastName, Address: h.address,
		CountryOfBirth: h.country, DateOfBirth: h.birth, MaritalStatus: h.marital, Gender: h.gender, PhoneNumber: h.phone,
		Email: h.email, DocumentType: h.docType, DocumentNumber: h.doc, CardID: cards[0].ID})
	if err != nil {
		return err
	}
	for i, c := range cards {
		if i > 0 {
			if _, err := d.st.AssignCard(ctx, d.actor, pid, ch.ID, c.ID); err != nil {
				return err
			}
		}
		var steps []store.CardAction
		switch h.cards[i] {
		case store.CardActive:
			steps = []store.CardAction{store.ActivateCard}
		case store.CardBlocked:
			steps = []store.CardAction{store.ActivateCard, store.BlockCard}
		}
		for _, a := range steps {
			if _, err := d.st.ChangeCardStatus(ctx, d.actor, pid, ch.ID, c.ID, a); err != nil {
				return err
			}
		}
	}
	if h.linked != nil {
		if _, err := d.st.AssociateThirdPartyCard(ctx, d.actor, pid, ch.ID, *h.linked); err != nil {
			return err
		}
	}
	return nil
}
