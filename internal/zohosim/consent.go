package zohosim

import (
	"bytes"
	"html/template"
	"net/http"
)

// pages holds the server-rendered Accounts pages (Spanish, like the
// provider's user guide). Forms post back to the current URL, so the
// original query travels along; there are no scripts or external assets.
var pages = template.Must(template.New("layout").Parse(`{{define "head"}}<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>{{.Title}} - Zoho Accounts</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:Helvetica,Arial,sans-serif;background:#f4f6f8;color:#222;margin:0}
.box{max-width:420px;margin:60px auto;background:#fff;border-radius:6px;box-shadow:0 2px 8px rgba(0,0,0,.12);padding:32px}
.logo{font-weight:bold;font-size:22px;letter-spacing:1px;margin-bottom:18px}
.logo span:nth-child(1){color:#e42527}.logo span:nth-child(2){color:#089949}.logo span:nth-child(3){color:#226db4}.logo span:nth-child(4){color:#f9b21d}
label{display:block;margin:14px 0 4px;font-size:14px}
input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:10px;border:1px solid #ccc;border-radius:4px;font-size:15px}
button{padding:10px 22px;border:0;border-radius:4px;font-size:15px;cursor:pointer;margin-top:18px}
.primary{background:#159aff;color:#fff}.secondary{background:#eee;color:#333}
.err{color:#c0392b;font-size:14px;margin-top:10px}
ul{padding-left:20px}li{margin:6px 0}.small{font-size:13px;color:#555}
</style></head><body><div class="box">
<div class="logo"><span>Z</span><span>O</span><span>H</span><span>O</span></div>{{end}}
{{define "foot"}}</div></body></html>{{end}}
{{define "login"}}{{template "head" .}}
<h1 style="font-size:20px">Iniciar sesión</h1>
<p>Iniciar sesión para acceder a Accounts</p>
<form method="post">
<input type="hidden" name="action" value="login">
<label for="email">Dirección de correo electrónico</label>
<input type="email" id="email" name="email" value="{{.Email}}" required autofocus>
<label for="password">Contraseña</label>
<input type="password" id="password" name="password" required>
{{if .Error}}<p class="err">{{.Error}}</p>{{end}}
<button class="primary" type="submit">INICIAR SESIÓN</button>
</form>{{template "foot" .}}{{end}}
{{define "consent"}}{{template "head" .}}
<p class="small">Sesión iniciada como {{.Email}}</p>
<h1 style="font-size:20px">{{.Provider}} desea acceder a la siguiente información.</h1>
<h2 style="font-size:16px">Zoho PhoneBridge</h2>
<ul><li>Allow to log your calls inside Zoho</li><li>To view the information associated with the caller/callee</li></ul>
<p>Cuando pulsa el botón "Aceptar", concede permiso para que {{.Provider}} acceda a los datos de su cuenta de Zoho.</p>
<form method="post" style="display:inline"><input type="hidden" name="action" value="accept"><button class="primary" type="submit">Aceptar</button></form>
<form method="post" style="display:inline"><input type="hidden" name="action" value="reject"><button class="secondary" type="submit">Rechazar</button></form>
<form method="post"><input type="hidden" name="action" value="logout"><button class="secondary" type="submit">Cambiar de cuenta</button></form>
{{template "foot" .}}{{end}}
{{define "error"}}{{template "head" .}}
<h1 style="font-size:20px">{{.Title}}</h1><p>{{.Message}}</p>{{template "foot" .}}{{end}}`))

type pageData struct {
	Title, Email, Error, Provider, Message string
}

func render(w http.ResponseWriter, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, d); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action *")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func (s *Sim) renderLogin(w http.ResponseWriter, status int, ar authRequest, email, errMsg string) {
	render(w, status, "login", pageData{Title: "Iniciar sesión", Email: email, Error: errMsg})
}

func (s *Sim) renderConsent(w http.ResponseWriter, ar authRequest, u *user) {
	render(w, http.StatusOK, "consent", pageData{
		Title: "Consentimiento", Email: u.email, Provider: s.opts.ProviderName,
	})
}

func (s *Sim) renderError(w http.ResponseWriter, title, msg string) {
	render(w, http.StatusBadRequest, "error", pageData{Title: title, Message: msg})
}
