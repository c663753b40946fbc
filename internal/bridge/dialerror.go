package bridge

import (
	"context"
	"errors"

	"github.com/conecta-zoho/gateway/internal/centrex"
	"github.com/conecta-zoho/gateway/internal/zoho"
)

// dialErrorCode maps a refused click-to-dial (Centrex error) to a
// clicktodialerror code: a refusal with an Xsi ErrorInfo is "rejected", an
// out-of-scope seat "blocked", anything else (unknown seat, unreachable or
// failing Centrex) "notavailable".
func dialErrorCode(err error) string {
	switch {
	case errors.Is(err, centrex.ErrRejected):
		return zoho.DialRejected
	case errors.Is(err, centrex.ErrForbidden):
		return zoho.DialBlocked
	default:
		return zoho.DialNotAvailable
	}
}

// dialErrorMessages are the texts shown in Zoho with a clicktodialerror,
// per language and code.
var dialErrorMessages = map[string]map[string]string{
	"es": {
		zoho.DialBusy:         "El número marcado está ocupado.",
		zoho.DialInvalid:      "El número marcado no es válido.",
		zoho.DialBlocked:      "Su puesto Conecta no tiene permitido llamar a este número.",
		zoho.DialNotAvailable: "Su puesto Conecta no está disponible en este momento.",
		zoho.DialNoAnswer:     "Su puesto Conecta no descolgó la llamada.",
		zoho.DialRejected:     "La centralita rechazó la llamada.",
	},
	"en": {
		zoho.DialBusy:         "The number you dialled is busy.",
		zoho.DialInvalid:      "The number you dialled is not valid.",
		zoho.DialBlocked:      "Your Conecta seat is not allowed to call this number.",
		zoho.DialNotAvailable: "Your Conecta seat is not available right now.",
		zoho.DialNoAnswer:     "Your Conecta seat did not pick up the call.",
		zoho.DialRejected:     "The Centrex rejected the call.",
	},
}

// DialErrorMessage returns the text for a clicktodialerror code in lang
// ("es" or "en"; anything else is Spanish).
func DialErrorMessage(lang, code string) string {
	m, ok := dialErrorMessages[lang]
	if !ok {
		m = dialErrorMessages["es"]
	}
	return m[code]
}

// dialErrorMessage is DialErrorMessage in the company's language.
func (b *Bridge) dialErrorMessage(ctx context.Context, companyID int64, code string) string {
	lang, err := b.o.Store.CompanyLanguage(ctx, companyID)
	if err != nil {
		b.log.Warn("bridge: company language", "company_id", companyID, "error", err)
	}
	return DialErrorMessage(lang, code)
}
