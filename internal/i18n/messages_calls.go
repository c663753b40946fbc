package i18n

// callsMessages are the texts of the call activity page and of the
// delivery figures in the connection panel.
var callsMessages = map[string]map[Lang]string{
	"nav.activity":        {ES: "Actividad de llamadas", EN: "Call activity"},
	"activity.title":      {ES: "Actividad de llamadas - %s", EN: "Call activity - %s"},
	"activity.text":       {ES: "Llamadas recientes de los puestos vinculados y el estado de cada notificación enviada a Zoho.", EN: "Recent calls of the linked seats and the state of every notification sent to Zoho."},
	"activity.empty":      {ES: "Todavía no hay llamadas de puestos vinculados.", EN: "There are no calls of linked seats yet."},
	"activity.when":       {ES: "Inicio", EN: "Started"},
	"activity.seat":       {ES: "Puesto", EN: "Seat"},
	"activity.direction":  {ES: "Sentido", EN: "Direction"},
	"activity.remote":     {ES: "Número", EN: "Number"},
	"activity.call":       {ES: "Llamada", EN: "Call"},
	"activity.notes":      {ES: "Notificaciones a Zoho", EN: "Notifications to Zoho"},
	"activity.in":         {ES: "Entrante", EN: "Incoming"},
	"activity.out":        {ES: "Saliente", EN: "Outgoing"},
	"activity.open":       {ES: "en curso", EN: "in progress"},
	"activity.closed":     {ES: "terminada", EN: "ended"},
	"activity.delivered":  {ES: "entregada", EN: "delivered"},
	"activity.pending":    {ES: "pendiente (%d intentos)", EN: "pending (%d attempts)"},
	"activity.parked":     {ES: "detenida tras %d intentos", EN: "stopped after %d attempts"},
	"activity.retry":      {ES: "Reintentar", EN: "Retry"},
	"activity.dialerrors": {ES: "Errores de click-to-dial", EN: "Click-to-dial errors"},
	"activity.summary":    {ES: "Entregas a Zoho", EN: "Deliveries to Zoho"},
	"activity.last":       {ES: "Última entrega", EN: "Last delivery"},
	"activity.never":      {ES: "ninguna todavía", EN: "none yet"},
	"activity.waiting":    {ES: "Pendientes", EN: "Waiting"},
	"activity.stopped":    {ES: "Detenidas", EN: "Stopped"},
	"activity.lasterror":  {ES: "Último error", EN: "Last error"},
	"activity.retried":    {ES: "La notificación se volverá a enviar ahora.", EN: "The notification will be sent again now."},
	"activity.notfound":   {ES: "Esa notificación no existe o ya no está detenida.", EN: "That notification does not exist or is no longer stopped."},
	"activity.refresh":    {ES: "Actualizar", EN: "Refresh"},
}
