package i18n

import "golang.org/x/text/message/catalog"

// portalMessages are the chrome, welcome, login and main-screen texts.
var portalMessages = map[string]map[Lang]string{
	// Chrome shared by every page.
	"app.name":       {ES: "Digital Centrex", EN: "Digital Centrex"},
	"app.portal":     {ES: "Portal de administración Zoho – Conecta", EN: "Zoho – Conecta administration portal"},
	"footer.copy":    {ES: "Copyright © 2014-%s . Orange Digital Centrex", EN: "Copyright © 2014-%s . Orange Digital Centrex"},
	"footer.powered": {ES: "Powered by", EN: "Powered by"},
	"nav.toggle":     {ES: "Mostrar u ocultar el menú", EN: "Show or hide the menu"},
	"nav.menu":       {ES: "Menú", EN: "Menu"},
	"nav.zoho":       {ES: "Integración Zoho", EN: "Zoho integration"},
	"nav.company":    {ES: "Empresa %s", EN: "Company %s"},
	"nav.logout":     {ES: "Cerrar sesión", EN: "Log out"},
	"lang.switch":    {ES: "Idioma", EN: "Language"},
	"skip.content":   {ES: "Saltar al contenido", EN: "Skip to content"},

	// Welcome page.
	"welcome.title": {ES: "Bienvenido", EN: "Welcome"},
	"welcome.text": {
		ES: "Portal de administración de la integración de los usuarios Conecta de Digital Centrex con Zoho PhoneBridge.",
		EN: "Administration portal for the integration of Digital Centrex Conecta users with Zoho PhoneBridge.",
	},
	"welcome.enter": {ES: "Acceder", EN: "Sign in"},

	// Login page.
	"login.title":         {ES: "Acceso al portal", EN: "Portal sign-in"},
	"login.email":         {ES: "Correo electrónico", EN: "E-mail"},
	"login.password":      {ES: "Contraseña", EN: "Password"},
	"login.captcha":       {ES: "Escriba los números de la imagen", EN: "Type the numbers in the picture"},
	"login.captcha.alt":   {ES: "Imagen con números para comprobar que es una persona", EN: "Picture with numbers to check you are a person"},
	"login.captcha.new":   {ES: "Nueva imagen", EN: "New picture"},
	"login.captcha.audio": {ES: "Escuchar los números (en inglés)", EN: "Listen to the numbers"},
	"login.submit":        {ES: "Entrar", EN: "Sign in"},
	"login.failed":        {ES: "El correo, la contraseña o los números de la imagen no son correctos. Inténtelo de nuevo.", EN: "The e-mail, the password or the numbers in the picture are not correct. Please try again."},
	"login.required":      {ES: "Rellene el correo, la contraseña y los números de la imagen.", EN: "Fill in the e-mail, the password and the numbers in the picture."},
	"login.expired":       {ES: "Su sesión ha terminado. Vuelva a entrar.", EN: "Your session has ended. Please sign in again."},
	"login.busy":          {ES: "El servidor está ocupado en este momento. Vuelva a intentarlo dentro de unos segundos.", EN: "The server is busy right now. Please try again in a few seconds."},
	"logout.done":         {ES: "Ha cerrado la sesión.", EN: "You have logged out."},

	// Main screen.
	"home.title":    {ES: "Conecta", EN: "Conecta"},
	"home.subtitle": {ES: "Administración de usuarios Conecta / Zoho", EN: "Conecta / Zoho user administration"},
	"home.text": {
		ES: "Desde el menú «Integración Zoho» puede habilitar la integración de Digital Centrex con Zoho PhoneBridge y gestionar qué usuarios Conecta quedan vinculados a usuarios de Zoho.",
		EN: "From the “Zoho integration” menu you can enable the Digital Centrex integration with Zoho PhoneBridge and manage which Conecta users are linked to Zoho users.",
	},

	// Errors.
	"error.title":       {ES: "Se ha producido un error", EN: "Something went wrong"},
	"error.notfound":    {ES: "La página solicitada no existe.", EN: "The page you asked for does not exist."},
	"error.internal":    {ES: "Error interno. Inténtelo de nuevo más tarde.", EN: "Internal error. Please try again later."},
	"error.forbidden":   {ES: "La petición ha sido rechazada.", EN: "The request was refused."},
	"error.badrequest":  {ES: "La petición contiene caracteres no válidos.", EN: "The request contains characters that are not valid."},
	"error.toolarge":    {ES: "La petición es demasiado grande.", EN: "The request is too large."},
	"error.unsupported": {ES: "Este formulario no admite el envío de ficheros.", EN: "This form does not take files."},
	"error.back":        {ES: "Volver al inicio", EN: "Back to the start"},
}

// portalCounted are the chrome and login texts that count something.
var portalCounted = map[string]map[Lang][]catalog.Message{
	"login.throttled": {
		ES: forms(1, "Demasiados intentos fallidos. Por seguridad, el acceso queda bloqueado durante %d minuto; vuelva a intentarlo después.",
			"Demasiados intentos fallidos. Por seguridad, el acceso queda bloqueado durante %d minutos; vuelva a intentarlo después."),
		EN: forms(1, "Too many failed attempts. For your security, sign-in is locked for %d minute; please try again afterwards.",
			"Too many failed attempts. For your security, sign-in is locked for %d minutes; please try again afterwards."),
	},
}
