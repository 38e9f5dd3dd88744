package handlers

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"cardconsole/store"
	"cardconsole/views"
	"cardconsole/web"
)

// searchHit is a result with the path that opens it.
type searchHit struct {
	store.SearchHit
	URL string `json:"url"`
}

// searchGroup is a group of results with the path of its full list when it has more.
type searchGroup struct {
	Name    string      `json:"name"`
	Items   []searchHit `json:"items"`
	More    bool        `json:"more"`
	MoreURL string      `json:"moreUrl,omitempty"`
}

// searchLabels name the groups in the console's dropdown.
var searchLabels = map[string]string{store.SearchCardholders: "Cardholders", store.SearchCards: "Cards",
	store.SearchTopUps: "Top-ups", store.SearchClientRequests: "Client requests"}

// Search is the header search across every partner the operator may see: JSON for API clients,
// the dropdown for the console's search box.
func (h *Handlers) Search(c echo.Context) error {
	p, _ := web.PrincipalOf(c)
	q := c.QueryParam("q")
	groups, err := h.store.Search(c.Request().Context(), p.OperatorID, q)
	if err != nil && !store.SearchableText(q) {
		// While the operator is still typing, the console's dropdown explains instead of refusing.
		return h.app.RespondRefused(c, err, web.View{Title: "Search", Page: views.SearchResults(nil, "Type at least 3 letters or digits in a row.")})
	}
	if err != nil {
		return err
	}
	out := make([]searchGroup, 0, len(groups))
	for _, g := range groups {
		sg := searchGroup{Name: g.Name, More: g.More, Items: make([]searchHit, len(g.Items))}
		for i, it := range g.Items {
			sg.Items[i] = searchHit{SearchHit: it, URL: searchURL(g.Name, it)}
		}
		if g.More {
			sg.MoreURL = searchMoreURL(g.Name, g.Items[0].PartnerID, q)
		}
		out = append(out, sg)
	}
	var dropdown []views.SearchGroupView
	for _, g := range out {
		if len(g.Items) == 0 {
			continue
		}
		gv := views.SearchGroupView{Label: searchLabels[g.Name], MoreURL: g.MoreURL}
		for _, it := range g.Items {
			gv.Items = append(gv.Items, views.SearchHitView{Title: it.Title, Subtitle: it.Subtitle, URL: it.URL})
		}
		dropdown = append(dropdown, gv)
	}
	return h.app.Respond(c, web.View{Title: "Search", Data: out, Page: views.SearchResults(dropdown, "")})
}

// searchURL is the page of one result.
func searchURL(group string, it store.SearchHit) string {
	switch group {
	case store.SearchCardholders:
		return views.HolderURL(it.PartnerID, it.ID, "")
	case store.SearchCards:
		if it.CardholderID != nil {
			return views.CardURL(it.PartnerID, *it.CardholderID, it.ID, "")
		}
		return views.PartnerURL(it.PartnerID, "/cards")
	case store.SearchTopUps:
		return views.PartnerURL(it.PartnerID, "/top-ups")
	}
	return "/api/v2/applications/" + views.ID(it.ID)
}

// searchMoreURL is the full list of a group, in the partner of its first result.
func searchMoreURL(group string, partnerID int64, q string) string {
	if group == store.SearchCardholders {
		return views.WithQuery(views.PartnerURL(partnerID, "/cardholders"), url.Values{"searchText": {q}, "status": {store.StatusAll}})
	}
	return views.PartnerURL(partnerID, "/cards")
}
