package handlers

import (
	"strings"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/web"
	"cardconsole/web/export"
)

// The downloads of a partner's lists (docs/exports.md). Each reads the same query parameters as
// its list, checks them the same way and lists the same rows in the same order, without paging.

var cardholderExportColumns = []string{"id", "name", "lastName", "email", "phoneNumber", "documentType", "documentNumber",
	"status", "cardCount", "createdAt"}

// ExportCardholders downloads the cardholder list with its search, status and sort, masked as the
// list is for an operator who needs a code to see personal data.
func (h *Handlers) ExportCardholders(format export.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		pid := web.PartnerID(c)
		f := store.CardholderFilter{PartnerID: pid, Search: c.QueryParam("searchText"), SortBy: c.QueryParam("sortBy"),
			SortOrder: c.QueryParam("sortOrder"), Status: c.QueryParam("status")}
		f.Normalize()
		mask := web.NeedsOTP(c, "cardholders")
		loc := h.zoneOf(c, pid)
		d := listDownload{list: "cardholders", headerKey: "cardholders", columns: cardholderExportColumns, partnerID: pid, zone: loc,
			filters: map[string]any{"searchText": f.Search, "status": f.Status, "sortBy": f.SortBy, "sortOrder": f.SortOrder, "masked": mask}}
		return h.download(c, format, d, func(row rowFunc) error {
			return h.store.EachCardholder(c.Request().Context(), web.Actor(c), f, func(ch store.CardholderSummary) error {
				if mask {
					ch.MaskPersonal()
				}
				return row(export.Int(ch.ID), export.Text(ch.Name), export.Text(ch.LastName), export.Text(ch.Email),
					export.Text(ch.PhoneNumber), export.Text(ch.DocumentType), export.Text(ch.DocumentNumber),
					export.Text(ch.Status), export.Int(int64(ch.CardCount)), export.Time(ch.CreatedAt, loc))
			})
		})
	}
}

var cardExportColumns = []string{"id", "maskedNumber", "cardholderId", "status", "balance", "currency", "createdAt", "updatedAt"}

// ExportCards downloads the partner's cards with the list's status filter, newest first, within the
// operator's tag restriction. Card numbers are only ever known masked.
func (h *Handlers) ExportCards(format export.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		pid := web.PartnerID(c)
		ctx := c.Request().Context()
		p, _ := web.PrincipalOf(c)
		tags, err := h.store.OperatorRestrictions(ctx, p.OperatorID, pid)
		if err != nil {
			return err
		}
		f := store.CardFilter{PartnerID: pid, Status: strings.ToUpper(strings.TrimSpace(c.QueryParam("status"))), Tags: tags}
		loc := h.zoneOf(c, pid)
		d := listDownload{list: "cards", headerKey: "cards", columns: cardExportColumns, partnerID: pid, zone: loc,
			filters: map[string]any{"status": f.Status}}
		return h.download(c, format, d, func(row rowFunc) error {
			return h.store.EachCard(ctx, f, func(card store.Card) error {
				return row(export.Int(card.ID), export.Text(card.MaskedNumber()), export.OptInt(card.CardholderID),
					export.Text(card.Status), export.Amount(card.Balance), export.Text(card.Currency),
					export.Time(card.CreatedAt, loc), export.Time(card.UpdatedAt, loc))
			})
		})
	}
}

var topUpExportColumns = []string{"id", "requestedAmount", "currency", "status", "observations", "createdByEmail",
	"reviewedByEmail", "cancelledByEmail", "evidenceFileName", "createdAt", "decidedAt"}

// ExportTopUps downloads the top-up history with its status, text search and sort.
func (h *Handlers) ExportTopUps(format export.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		f := processRequestFilter(c, store.Page{})
		if err := f.Check(); err != nil {
			return err
		}
		pid := web.PartnerID(c)
		loc := h.zoneOf(c, pid)
		d := listDownload{list: "top-ups", headerKey: "topups", columns: topUpExportColumns, partnerID: pid, zone: loc,
			filters: map[string]any{"status": f.Status, "q": f.Query, "sort": f.Sort, "order": f.Order}}
		return h.download(c, format, d, func(row rowFunc) error {
			return h.store.EachProcessRequest(c.Request().Context(), f, func(pr store.ProcessRequest) error {
				return row(export.Int(pr.ID), export.Amount(pr.RequestedAmount), export.Text(pr.Currency), export.Text(pr.Status),
					export.Text(pr.Observations), export.Text(pr.CreatedByEmail), export.OptText(pr.ReviewedByEmail),
					export.OptText(pr.CancelledByEmail), export.Text(pr.EvidenceFileName), export.Time(pr.CreatedAt, loc),
					export.OptTime(pr.DecidedAt, loc))
			})
		})
	}
}

var batchExportColumns = []string{"id", "kind", "status", "fileName", "format", "total", "processed", "succeeded", "failed",
	"amountTotal", "credited", "currency", "createdByLabel", "createdAt", "decidedAt", "finishedAt", "reason"}

// ExportBatches downloads the partner's bulk batches with the list's kind and status, newest first.
func (h *Handlers) ExportBatches(format export.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		f, err := bulkFilter(c)
		if err != nil {
			return err
		}
		loc := h.zoneOf(c, f.PartnerID)
		d := listDownload{list: "batches", headerKey: "batches", columns: batchExportColumns, partnerID: f.PartnerID, zone: loc,
			filters: map[string]any{"kind": string(f.Kind), "status": f.Status}}
		return h.download(c, format, d, func(row rowFunc) error {
			return h.store.EachBulkBatch(c.Request().Context(), f, func(b store.BulkBatch) error {
				return row(export.Int(b.ID), export.Text(string(b.Kind)), export.Text(b.Status), export.Text(b.FileName),
					export.Text(b.Format), export.Int(int64(b.Total)), export.Int(int64(b.Processed)),
					export.Int(int64(b.Succeeded)), export.Int(int64(b.Failed)), export.Amount(b.AmountTotal), export.Amount(b.Credited),
					export.OptText(b.Currency), export.Text(b.CreatedByLabel), export.Time(b.CreatedAt, loc),
					export.OptTime(b.DecidedAt, loc), export.OptTime(b.FinishedAt, loc), export.OptText(b.Reason))
			})
		})
	}
}

var movementExportColumns = []string{"id", "createdAt", "type", "direction", "amount", "balanceAfter", "currency", "channel",
	"reference", "description", "counterpartCard", "actor", "reversedBy"}

// ExportMovements downloads a card's movements as its list filters them: the period (open at either
// end, days in the partner's zone) and the sort, every row of it.
func (h *Handlers) ExportMovements(format export.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		holderID, card, err := h.holderCard(c)
		if err != nil {
			return err
		}
		f := store.MovementFilter{PartnerID: card.PartnerID, CardID: card.ID, From: strings.TrimSpace(c.QueryParam("from")),
			To: strings.TrimSpace(c.QueryParam("to")), SortBy: c.QueryParam("sortBy"), SortOrder: c.QueryParam("sortOrder")}
		if err := f.Validate(); err != nil {
			return err
		}
		loc := h.zoneOf(c, card.PartnerID)
		d := listDownload{list: "movements", headerKey: "movements", columns: movementExportColumns,
			partnerID: card.PartnerID, zone: loc, filters: map[string]any{"cardholderId": holderID, "cardId": card.ID, "from": f.From,
				"to": f.To, "sortBy": f.SortBy, "sortOrder": f.SortOrder}}
		return h.download(c, format, d, func(row rowFunc) error {
			return h.store.EachMovement(c.Request().Context(), f, func(m store.MovementRow) error {
				return row(export.Int(m.ID), export.Time(m.CreatedAt, loc), export.Text(m.Type), export.Text(m.Direction),
					export.Amount(m.Amount), export.Amount(m.BalanceAfter), export.Text(m.Currency), export.Text(m.Channel),
					export.Text(m.Reference), export.Text(m.Description), export.OptText(m.CounterpartLast4),
					export.Text(m.ActorLabel), export.OptInt(m.ReversedBy))
			})
		})
	}
}
