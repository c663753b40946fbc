package i18n

import (
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/message/catalog"
)

// messages maps a key to its text per language. Spanish texts follow the
// original portal's user guide word for word where the guide shows them.
// Each screen keeps its texts in its own messages_*.go file.
var messages = merge(portalMessages, zohoMessages, seatsMessages, callsMessages, auditMessages, settingsMessages, csvMessages,
	dialMessages, operatorMessages)

// countedMessages are the texts that count something, with their plural
// forms (see forms and vars).
var countedMessages = mergeCounted(seatsCounted, callsCounted, portalCounted, auditCounted, operatorCounted)

func merge(catalogs ...map[string]map[Lang]string) map[string]map[Lang]string {
	out := map[string]map[Lang]string{}
	for _, c := range catalogs {
		for k, v := range c {
			if _, dup := out[k]; dup {
				panic("i18n: message key defined twice: " + k)
			}
			out[k] = v
		}
	}
	return out
}

func mergeCounted(catalogs ...map[string]map[Lang][]catalog.Message) map[string]map[Lang][]catalog.Message {
	out := map[string]map[Lang][]catalog.Message{}
	for _, c := range catalogs {
		for k, v := range c {
			if _, dup := out[k]; dup {
				panic("i18n: counted message key defined twice: " + k)
			}
			out[k] = v
		}
	}
	return out
}

// counts reports whether key is a text with plural forms.
func counts(key string) bool {
	_, ok := countedMessages[key]
	return ok
}

// forms is a text whose argument arg (1-based) is a count: one is the text
// for a count of one, other for every other count. Both are fmt formats over
// all the arguments ("%[1]d correcto").
func forms(arg int, one, other string) []catalog.Message {
	return []catalog.Message{plural.Selectf(arg, "%d", plural.One, one, plural.Other, other)}
}

// countVar is a named part of a text with several counts (see vars).
type countVar struct {
	name       string
	arg        int
	one, other string
}

// vars is a text with several counts: each countVar becomes ${name} in
// text, chosen by its own argument.
func vars(text string, vs ...countVar) []catalog.Message {
	out := make([]catalog.Message, 0, len(vs)+1)
	for _, v := range vs {
		out = append(out, catalog.Var(v.name, plural.Selectf(v.arg, "%d", plural.One, v.one, plural.Other, v.other)))
	}
	return append(out, catalog.String(text))
}

// catalogue is every text of both languages.
var catalogue = func() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(ES.Tag()))
	for key, m := range messages {
		for l, text := range m {
			if err := b.SetString(l.Tag(), key, text); err != nil {
				panic("i18n: " + key + ": " + err.Error())
			}
		}
	}
	for key, m := range countedMessages {
		if _, dup := messages[key]; dup {
			panic("i18n: message key defined twice: " + key)
		}
		for l, msg := range m {
			if err := b.Set(l.Tag(), key, msg...); err != nil {
				panic("i18n: " + key + ": " + err.Error())
			}
		}
	}
	return b
}()
