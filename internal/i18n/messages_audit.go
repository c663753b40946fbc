package i18n

// auditMessages are the texts of the audit log: every event as a sentence
// ("audit.ev.<action>"), the actors that are not an administrator, and the
// event groups of the filter.
var auditMessages = map[string]map[Lang]string{
	"audit.title":  {ES: "Registro de actividad", EN: "Audit log"},
	"audit.text":   {ES: "Todo lo que se ha hecho en la integración de esta empresa: accesos al portal, activaciones, vínculos y cambios de configuración.", EN: "Everything done in this company's integration: portal sign-ins, activations, links and settings."},
	"audit.when":   {ES: "Fecha", EN: "When"},
	"audit.who":    {ES: "Quién", EN: "Who"},
	"audit.what":   {ES: "Qué", EN: "What"},
	"audit.empty":  {ES: "Sin actividad registrada.", EN: "No activity recorded."},
	"audit.search": {ES: "Texto", EN: "Text"},
	"audit.hint":   {ES: "puesto, usuario, correo…", EN: "seat, user, e-mail…"},
	"audit.group":  {ES: "Tipo", EN: "Type"},

	"audit.group.access":   {ES: "Accesos al portal", EN: "Portal sign-ins"},
	"audit.group.zoho":     {ES: "Integración con Zoho", EN: "Zoho integration"},
	"audit.group.links":    {ES: "Vínculos de usuarios", EN: "User links"},
	"audit.group.settings": {ES: "Configuración", EN: "Settings"},
	"audit.group.delivery": {ES: "Notificaciones", EN: "Notifications"},

	"audit.actor.operator": {ES: "el operador", EN: "the operator"},
	"audit.actor.gateway":  {ES: "la pasarela (automático)", EN: "the gateway (automatic)"},

	"audit.ev.login":                  {ES: "Inició sesión en el portal desde %s.", EN: "Signed in to the portal from %s."},
	"audit.ev.login.failed.password":  {ES: "Intento de acceso fallido desde %s: la contraseña no era correcta.", EN: "Failed sign-in from %s: the password was wrong."},
	"audit.ev.login.failed.captcha":   {ES: "Intento de acceso fallido desde %s: los números de la imagen no eran correctos.", EN: "Failed sign-in from %s: the numbers in the picture were wrong."},
	"audit.ev.login.failed":           {ES: "Intento de acceso fallido desde %s.", EN: "Failed sign-in from %s."},
	"audit.ev.logout":                 {ES: "Cerró la sesión.", EN: "Logged out."},
	"audit.ev.admin.password_reset":   {ES: "Se restableció la contraseña de %s y se cerraron sus sesiones.", EN: "The password of %s was reset and their sessions ended."},
	"audit.ev.centrex.connection_set": {ES: "Se configuró la conexión con la centralita: %s, usuario %s, grupo %s.", EN: "The Centrex connection was set: %s, user %s, group %s."},
	"audit.ev.zoho.consent_started":   {ES: "Comenzó la activación de la integración con la cuenta de Zoho %s.", EN: "Started the integration's activation with the Zoho account %s."},
	"audit.ev.zoho.callback_rejected": {ES: "Se rechazó una respuesta de Zoho que no correspondía a una activación iniciada en esta sesión.", EN: "An answer from Zoho that did not belong to an activation started in this session was refused."},
	"audit.ev.zoho.consent_denied":    {ES: "Se rechazó el consentimiento en Zoho; la integración siguió deshabilitada.", EN: "Consent was declined in Zoho; the integration stayed disabled."},
	"audit.ev.zoho.consent_mismatch":  {ES: "El consentimiento se dio con la cuenta de Zoho %s en lugar de %s; se anuló y la integración siguió deshabilitada.", EN: "Consent was given with the Zoho account %s instead of %s; it was cancelled and the integration stayed disabled."},
	"audit.ev.zoho.refused":           {ES: "La activación no se completó. %s", EN: "The activation did not complete. %s"},
	"audit.ev.zoho.enabled":           {ES: "Habilitó la integración con Zoho PhoneBridge (cuenta %s, centro de datos %s).", EN: "Enabled the Zoho PhoneBridge integration (account %s, data centre %s)."},
	"audit.ev.zoho.disabled":          {ES: "Deshabilitó la integración con Zoho PhoneBridge para todos los usuarios.", EN: "Disabled the Zoho PhoneBridge integration for every user."},
	"audit.ev.zoho.disabled.local":    {ES: "Deshabilitó la integración con Zoho PhoneBridge para todos los usuarios; no se pudo avisar a Zoho porque la autorización había caducado.", EN: "Disabled the Zoho PhoneBridge integration for every user; Zoho could not be told because the authorization had expired."},
	"audit.ev.zoho.disable_failed":    {ES: "La deshabilitación no terminó. %s", EN: "Disabling did not finish. %s"},
	"audit.ev.zoho.needs_consent":     {ES: "Zoho dejó de aceptar la autorización de la integración: hace falta un nuevo consentimiento.", EN: "Zoho stopped accepting the integration's authorization: a new consent is needed."},
	"audit.ev.zoho.language":          {ES: "Los usuarios de Zoho verán los mensajes de la pasarela en %s.", EN: "Zoho users will see the gateway's messages in %s."},
	"audit.ev.link.activated":         {ES: "Vinculó %s (%s) al usuario de Zoho %s: ClickToDial y CallControl activados.", EN: "Linked %s (%s) to the Zoho user %s: ClickToDial and CallControl on."},
	"audit.ev.link.deactivated":       {ES: "Desvinculó %s (%s) del usuario de Zoho %s.", EN: "Unlinked %s (%s) from the Zoho user %s."},
	"audit.ev.link.refused":           {ES: "Zoho no aceptó el cambio del vínculo de %s con %s. %s", EN: "Zoho did not accept the change to the link of %s with %s. %s"},
	"audit.ev.link.seat_gone":         {ES: "%s ya no está en la centralita: se desactivó su vínculo con %s.", EN: "%s left the Centrex: its link with %s was switched off."},
	"audit.ev.outbox.retry":           {ES: "Pidió reenviar a Zoho la notificación n.º %s.", EN: "Asked to send notification no. %s to Zoho again."},
	"audit.ev.company.time_zone":      {ES: "Cambió la zona horaria de la empresa a %s.", EN: "Changed the company's time zone to %s."},
	"audit.ev.other":                  {ES: "Evento «%s»%s", EN: "Event “%s”%s"},
}
