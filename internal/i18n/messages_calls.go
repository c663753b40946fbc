package i18n

import "golang.org/x/text/message/catalog"

// callsMessages are the texts of the call activity page and of the
// delivery figures in the connection panel.
var callsMessages = map[string]map[Lang]string{
	"nav.activity":        {ES: "Actividad de llamadas", EN: "Call activity"},
	"activity.title":      {ES: "Actividad de llamadas - %s", EN: "Call activity - %s"},
	"activity.text":       {ES: "Llamadas de los puestos vinculados y el estado de cada notificación enviada a Zoho.", EN: "Calls of the linked seats and the state of every notification sent to Zoho."},
	"activity.empty":      {ES: "Todavía no hay llamadas de puestos vinculados.", EN: "There are no calls of linked seats yet."},
	"activity.nomatch":    {ES: "Ninguna llamada coincide con el filtro.", EN: "No call matches the filter."},
	"activity.when":       {ES: "Inicio", EN: "Started"},
	"activity.seat":       {ES: "Puesto", EN: "Seat"},
	"activity.remote":     {ES: "Número", EN: "Number"},
	"activity.call":       {ES: "Llamada", EN: "Call"},
	"activity.notes":      {ES: "Notificaciones a Zoho", EN: "Notifications to Zoho"},
	"activity.in":         {ES: "Entrante", EN: "Incoming"},
	"activity.out":        {ES: "Saliente", EN: "Outgoing"},
	"activity.delivered":  {ES: "entregada", EN: "delivered"},
	"activity.queued":     {ES: "pendiente", EN: "waiting"},
	"activity.retry":      {ES: "Reintentar", EN: "Retry"},
	"activity.dialerrors": {ES: "Llamadas por clic que no se pudieron iniciar", EN: "Click-to-dial calls that could not start"},
	"activity.summary":    {ES: "Entregas a Zoho", EN: "Deliveries to Zoho"},
	"activity.last":       {ES: "Última entrega", EN: "Last delivery"},
	"activity.never":      {ES: "ninguna todavía", EN: "none yet"},
	"activity.waiting":    {ES: "Pendientes", EN: "Waiting"},
	"activity.stopped":    {ES: "Detenidas", EN: "Stopped"},
	"activity.lasterror":  {ES: "Último error", EN: "Last error"},
	"activity.retried":    {ES: "La notificación se volverá a enviar ahora.", EN: "The notification will be sent again now."},
	"activity.notfound":   {ES: "Esa notificación no existe o ya no está detenida.", EN: "That notification does not exist or is no longer stopped."},
	"activity.refresh":    {ES: "Actualizar", EN: "Refresh"},
	"activity.technical":  {ES: "Detalle técnico", EN: "Technical detail"},
	"activity.superseded": {ES: "Zoho ya recibió un estado posterior de la llamada", EN: "Zoho already has a later state of the call"},
	"activity.superseded.retry": {ES: "Esa notificación no se puede reintentar: Zoho ya recibió un estado posterior de la llamada.",
		EN: "That notification cannot be retried: Zoho already has a later state of the call."},
	"activity.anonymous": {ES: "número oculto", EN: "withheld number"},

	// The call, in words: direction · state.
	"call.state.starting":     {ES: "iniciando", EN: "starting"},
	"call.state.originating":  {ES: "sonando en el puesto", EN: "ringing the seat"},
	"call.state.ringing":      {ES: "sonando", EN: "ringing"},
	"call.state.answered":     {ES: "contestada", EN: "answered"},
	"call.state.held":         {ES: "en espera", EN: "on hold"},
	"call.state.ended":        {ES: "terminada", EN: "ended"},
	"call.state.missed":       {ES: "Perdida", EN: "Missed"},
	"call.state.busy":         {ES: "ocupado", EN: "busy"},
	"call.state.noanswer":     {ES: "sin respuesta", EN: "no answer"},
	"call.state.rejected":     {ES: "rechazada", EN: "rejected"},
	"call.state.invalid":      {ES: "número no válido", EN: "invalid number"},
	"call.state.blocked":      {ES: "bloqueada", EN: "blocked"},
	"call.state.notavailable": {ES: "no disponible", EN: "not available"},
	"call.dialfailed":         {ES: "no se pudo iniciar (%s)", EN: "could not start (%s)"},
	"call.talked":             {ES: "%s, durante %s", EN: "%s, for %s"},

	// What a notification told Zoho.
	"note.ringing":          {ES: "sonando", EN: "ringing"},
	"note.answered":         {ES: "contestada", EN: "answered"},
	"note.ended":            {ES: "terminada", EN: "ended"},
	"note.missed":           {ES: "perdida", EN: "missed"},
	"note.busy":             {ES: "ocupado", EN: "busy"},
	"note.noanswer":         {ES: "sin respuesta", EN: "no answer"},
	"note.rejected":         {ES: "rechazada", EN: "rejected"},
	"note.invalid":          {ES: "número no válido", EN: "invalid number"},
	"note.blocked":          {ES: "bloqueada", EN: "blocked"},
	"note.notavailable":     {ES: "no disponible", EN: "not available"},
	"note.clicktodialerror": {ES: "error de llamada por clic: %s", EN: "click-to-dial error: %s"},
	"note.instead":          {ES: "%s (enviada así a Zoho en lugar de «%s»)", EN: "%s (sent to Zoho this way instead of “%s”)"},
	"note.dialerror.to":     {ES: "%s, llamando a %s", EN: "%s, calling %s"},

	// Delivery errors, in words.
	"delivery.err.http":        {ES: "Zoho rechazó la notificación (HTTP %s).", EN: "Zoho refused the notification (HTTP %s)."},
	"delivery.err.code":        {ES: "Zoho rechazó la notificación: %s (HTTP %s).", EN: "Zoho refused the notification: %s (HTTP %s)."},
	"delivery.err.unavailable": {ES: "Zoho no estaba disponible (HTTP %s).", EN: "Zoho was not available (HTTP %s)."},
	"delivery.err.throttled":   {ES: "Zoho limitó temporalmente las peticiones (HTTP 429).", EN: "Zoho was limiting requests for a while (HTTP 429)."},
	"delivery.err.auth":        {ES: "Zoho no aceptó la autorización de la integración.", EN: "Zoho did not accept the integration's authorization."},
	"delivery.err.timeout":     {ES: "Zoho no respondió a tiempo.", EN: "Zoho did not answer in time."},
	"delivery.err.network":     {ES: "No se pudo conectar con Zoho.", EN: "Zoho could not be reached."},
	"delivery.err.other":       {ES: "La entrega falló.", EN: "The delivery failed."},

	// Filters and pages.
	"filter.title":        {ES: "Filtrar", EN: "Filter"},
	"filter.seat":         {ES: "Puesto", EN: "Seat"},
	"filter.seat.hint":    {ES: "usuario o número", EN: "user or number"},
	"filter.from":         {ES: "Desde", EN: "From"},
	"filter.to":           {ES: "Hasta", EN: "To"},
	"filter.state":        {ES: "Estado", EN: "State"},
	"filter.direction":    {ES: "Sentido", EN: "Direction"},
	"filter.all":          {ES: "Todos", EN: "All"},
	"filter.apply":        {ES: "Filtrar", EN: "Filter"},
	"filter.clear":        {ES: "Quitar filtros", EN: "Clear filters"},
	"filter.baddate":      {ES: "La fecha «%s» no es válida: use el selector o el formato aaaa-mm-dd.", EN: "The date “%s” is not valid: use the picker or the yyyy-mm-dd format."},
	"filter.state.open":   {ES: "En curso", EN: "In progress"},
	"filter.state.talked": {ES: "Contestadas", EN: "Answered"},
	"filter.state.missed": {ES: "Perdidas", EN: "Missed"},
	"filter.state.failed": {ES: "Salientes sin contestar", EN: "Outgoing not answered"},
	"filter.state.parked": {ES: "Con entregas detenidas", EN: "With stopped deliveries"},
	"back.table":          {ES: "Volver a la tabla de usuarios", EN: "Back to the users table"},
	"zone.shown":          {ES: "Horas en %s (%s).", EN: "Times in %s (%s)."},
	"zone.change":         {ES: "Cambiar la zona horaria", EN: "Change the time zone"},
	"zone.label":          {ES: "Zona horaria", EN: "Time zone"},
}

// callsCounted are the activity texts that count something.
var callsCounted = map[string]map[Lang][]catalog.Message{
	"activity.pending": {
		ES: forms(1, "pendiente (tras %d intento)", "pendiente (tras %d intentos)"),
		EN: forms(1, "waiting (after %d attempt)", "waiting (after %d attempts)"),
	},
	"activity.parked": {
		ES: forms(1, "detenida tras %d intento", "detenida tras %d intentos"),
		EN: forms(1, "stopped after %d attempt", "stopped after %d attempts"),
	},
	"duration.seconds": {
		ES: forms(1, "%d segundo", "%d segundos"),
		EN: forms(1, "%d second", "%d seconds"),
	},
	"duration.minutes": {
		ES: forms(1, "%d minuto", "%d minutos"),
		EN: forms(1, "%d minute", "%d minutes"),
	},
	"duration.minsec": {
		ES: vars("${m} y ${s}", countVar{"m", 1, "%[1]d minuto", "%[1]d minutos"}, countVar{"s", 2, "%[2]d segundo", "%[2]d segundos"}),
		EN: vars("${m} and ${s}", countVar{"m", 1, "%[1]d minute", "%[1]d minutes"}, countVar{"s", 2, "%[2]d second", "%[2]d seconds"}),
	},
	"duration.hours": {
		ES: vars("${h} y ${m}", countVar{"h", 1, "%[1]d hora", "%[1]d horas"}, countVar{"m", 2, "%[2]d minuto", "%[2]d minutos"}),
		EN: vars("${h} and ${m}", countVar{"h", 1, "%[1]d hour", "%[1]d hours"}, countVar{"m", 2, "%[2]d minute", "%[2]d minutes"}),
	},
	"activity.showing": {
		ES: forms(3, "Mostrando %[1]d a %[2]d de %[3]d llamada", "Mostrando %[1]d a %[2]d de %[3]d llamadas"),
		EN: forms(3, "Showing %[1]d to %[2]d of %[3]d call", "Showing %[1]d to %[2]d of %[3]d calls"),
	},
}
