package zohosim

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
)

// crmReload reloads the page every 2 s unless the user is typing a number
// or has just sent a form: a reload then would cancel the form's request
// (a click on "Retener" in the instant before a reload was lost).
const crmReload = `var sent=false;document.addEventListener("submit",function(){sent=true});` +
	`setInterval(function(){var a=document.activeElement;if(!sent&&(!a||a.tagName!=="INPUT"||a.value==="")){location.reload()}},2000);`

// crmCSP allows the inline styles and exactly the reload script.
var crmCSP = func() string {
	sum := sha256.Sum256([]byte(crmReload))
	return "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; form-action 'self'; frame-ancestors 'none'"
}()

// crmTemplate is the CRM page (Spanish, Zoho-like, no external assets).
var crmTemplate = template.Must(template.New("crm").Funcs(template.FuncMap{
	"script": func() template.JS { return template.JS(crmReload) },
}).Parse(`<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Contactos - Zoho CRM</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<noscript><meta http-equiv="refresh" content="3"></noscript>
<script>{{script}}</script>
<style>
body{font-family:Helvetica,Arial,sans-serif;background:#f4f6f8;color:#222;margin:0}
header{background:#1d2b3a;color:#fff;padding:10px 20px;display:flex;justify-content:space-between;align-items:center}
header b{font-size:18px;letter-spacing:1px}header form{display:inline}
main{max-width:980px;margin:20px auto;padding:0 16px}
section{background:#fff;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.1);padding:16px 20px;margin-bottom:18px}
h2{font-size:16px;margin:0 0 12px}table{width:100%;border-collapse:collapse;font-size:14px}
th,td{text-align:left;padding:7px 8px;border-bottom:1px solid #eee}th{color:#555;font-weight:normal;background:#fafbfc}
button{border:0;border-radius:4px;padding:6px 12px;font-size:14px;cursor:pointer;background:#eee;color:#222}
.phone{background:none;color:#226db4;padding:0;text-decoration:underline}.phone::before{content:"\260E  "}
.primary{background:#159aff;color:#fff}.danger{background:#e42527;color:#fff}.answer{background:#089949;color:#fff}
.ok{background:#e8f6ee;color:#0b6b35;padding:10px;border-radius:4px}.err{background:#fdecea;color:#a61b1b;padding:10px;border-radius:4px}
.popup{border:2px solid #f9b21d;background:#fff8e6}.popup h2{font-size:18px}
.bar{background:#eaf3fc;border-left:4px solid #159aff}.keys button{width:36px;margin:2px}
.small{font-size:13px;color:#555}a{color:#226db4}
</style></head><body>
<header><b>Zoho CRM</b><span>{{.User}} · {{.Org}}
<form method="post" action="/crm/"><input type="hidden" name="action" value="logout"><button type="submit">Cerrar sesión</button></form></span></header>
<main>
{{if .Flash}}<p class="{{.FlashClass}}" role="status">{{.Flash}}</p>{{end}}
{{range .Active}}{{if and (eq .Type "received") (eq .State "ringing")}}
<section class="popup" role="alert"><h2>Llamada entrante de {{.Number}}{{if .Contact}} ({{.Contact}}){{end}}</h2>
{{if $.Can "answer"}}<form method="post" action="/crm/control" style="display:inline"><input type="hidden" name="action" value="answer"><input type="hidden" name="callrefid" value="{{.ID}}"><button class="answer" type="submit">CONTESTAR</button></form>{{end}}
{{if $.Can "hungup"}}<form method="post" action="/crm/control" style="display:inline"><input type="hidden" name="action" value="hungup"><input type="hidden" name="callrefid" value="{{.ID}}"><button class="danger" type="submit">RECHAZAR</button></form>{{end}}
</section>{{end}}{{end}}
{{range .Active}}
<section class="bar" aria-label="Barra de llamada"><h2>{{.TypeLabel}} · {{.StateLabel}} · {{.Number}}{{if .Contact}} ({{.Contact}}){{end}} · <span class="duration">{{.DurationText}}</span></h2>
{{$call := .}}{{$id := .ID}}{{range $a := $.Buttons}}{{if $.Show $a.Action $call}}<form method="post" action="/crm/control" style="display:inline"><input type="hidden" name="action" value="{{$a.Action}}"><input type="hidden" name="callrefid" value="{{$id}}"><button class="{{$a.Class}}" type="submit">{{$a.Label}}</button></form> {{end}}{{end}}
{{if and ($.Can "keypress") (eq .State "answered")}}<div class="keys">{{range $.Digits}}<form method="post" action="/crm/control" style="display:inline"><input type="hidden" name="action" value="keypress"><input type="hidden" name="callrefid" value="{{$id}}"><input type="hidden" name="digit" value="{{.}}"><button type="submit">{{.}}</button></form>{{end}}</div>{{end}}
</section>{{end}}
<section><h2>Contactos</h2>
{{if not .ClickToDial}}<p class="small">La llamada por clic no está activada para su usuario ({{.Email}}).</p>{{end}}
<table><tr><th>Nombre</th><th>Empresa</th><th>Teléfono</th></tr>
{{range .Contacts}}<tr><td>{{.Name}}</td><td>{{.Company}}</td><td><form method="post" action="/crm/dial"><input type="hidden" name="number" value="{{.Phone}}"><button class="phone" type="submit" title="Llamar a {{.Name}}">{{.Phone}}</button></form></td></tr>
{{end}}</table>
<form method="post" action="/crm/dial" style="margin-top:12px"><label>Marcar número <input name="number" inputmode="tel" size="18"></label> <button class="primary" type="submit">Llamar</button></form>
</section>
<section><h2>Registro de llamadas</h2>
{{if .Log}}<table><tr><th>Tipo</th><th>Estado</th><th>De</th><th>A</th><th>Contacto</th><th>Inicio</th><th>Duración</th></tr>
{{range .Log}}<tr class="call" data-id="{{.ID}}"><td>{{.TypeLabel}}</td><td>{{.StateLabel}}</td><td>{{.From}}</td><td>{{.To}}</td><td>{{.Contact}}</td><td>{{.StartText}}</td><td>{{.DurationText}}</td></tr>
{{end}}</table>{{else}}<p class="small">Todavía no hay llamadas.</p>{{end}}
</section>
<p class="small"><a href="/crm/">Actualizar</a></p>
</main></body></html>`))

// crmButton is a call-bar button bound to a call-control action.
type crmButton struct{ Action, Label, Class string }

// Buttons are the call-bar buttons in display order.
func (crmData) Buttons() []crmButton {
	return []crmButton{
		{"answer", "Contestar", "answer"}, {"hold", "Retener", ""}, {"unhold", "Reanudar", ""},
		{"mute", "Silenciar", ""}, {"unmute", "Activar sonido", ""}, {"hungup", "FINALIZAR LLAMADA", "danger"},
	}
}
