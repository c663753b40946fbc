package i18n

import "golang.org/x/text/message/catalog"

// seatsMessages are the texts of the Conecta–Zoho users table (guide
// section 4). Spanish follows the guide word for word.
var seatsMessages = map[string]map[Lang]string{
	"seats.title":           {ES: "Usuarios Conecta - Zoho", EN: "Conecta - Zoho users"},
	"seats.search":          {ES: "Búsqueda:", EN: "Search:"},
	"seats.search.button":   {ES: "Buscar", EN: "Search"},
	"seats.col.user":        {ES: "Usuario Conecta", EN: "Conecta user"},
	"seats.col.number":      {ES: "Puesto Teléfono", EN: "Phone seat"},
	"seats.col.login":       {ES: "Login Zoho", EN: "Zoho login"},
	"seats.col.name":        {ES: "Nombre Zoho", EN: "Zoho name"},
	"seats.col.enabled":     {ES: "Activado Zoho", EN: "Zoho enabled"},
	"seats.col.action":      {ES: "Acción", EN: "Action"},
	"seats.col.select":      {ES: "Seleccionar", EN: "Select"},
	"seats.pager":           {ES: "Páginas de la tabla", EN: "Table pages"},
	"seats.prev":            {ES: "Previo", EN: "Previous"},
	"seats.next":            {ES: "Siguiente", EN: "Next"},
	"seats.size.before":     {ES: "Mostrar", EN: "Show"},
	"seats.size.after":      {ES: "registros", EN: "entries"},
	"seats.activate":        {ES: "Activar", EN: "Activate"},
	"seats.deactivate":      {ES: "Desactivar", EN: "Deactivate"},
	"seats.gone":            {ES: "Ya no está en la centralita", EN: "No longer in the Centrex"},
	"seats.empty":           {ES: "No hay puestos que coincidan con la búsqueda.", EN: "No seats match the search."},
	"seats.none":            {ES: "Todavía no hay puestos Conecta de esta empresa. Sincronice con la centralita.", EN: "There are no Conecta seats for this company yet. Synchronise with the Centrex."},
	"seats.bulk.activate":   {ES: "Activar seleccionados", EN: "Activate selected"},
	"seats.bulk.deactivate": {ES: "Desactivar seleccionados", EN: "Deactivate selected"},
	"seats.bulk.none":       {ES: "No ha seleccionado ningún puesto.", EN: "You selected no seat."},
	"seats.bulk.title":      {ES: "Resultado de la operación", EN: "Result of the operation"},
	"seats.bulk.ok":         {ES: "Correcto", EN: "Done"},
	"seats.bulk.back":       {ES: "Volver a la tabla", EN: "Back to the table"},

	"seats.suggest.title":  {ES: "Vínculos sugeridos", EN: "Suggested links"},
	"seats.suggest.text":   {ES: "Estos puestos tienen el mismo correo o nombre que un usuario de Zoho sin vincular.", EN: "These seats have the same e-mail or name as an unlinked Zoho user."},
	"seats.suggest.email":  {ES: "mismo correo", EN: "same e-mail"},
	"seats.suggest.name":   {ES: "mismo nombre", EN: "same name"},
	"seats.suggest.button": {ES: "Vincular todos los sugeridos", EN: "Link all suggested"},
	"seats.restore.text":   {ES: "Hay vínculos anteriores a la última deshabilitación de la integración que siguen desactivados.", EN: "Links from before the integration was last disabled are still switched off."},
	"seats.suggest.none":   {ES: "No hay vínculos sugeridos: ningún puesto sin vincular tiene el correo o el nombre de un usuario de Zoho sin vincular.", EN: "There are no suggested links: no unlinked seat has the e-mail or name of an unlinked Zoho user."},
	"seats.users.zoho":     {ES: "Usuario Zoho", EN: "Zoho user"},
	"seats.restore.button": {ES: "Restaurar los vínculos anteriores", EN: "Restore the previous links"},

	"seats.panel.users":          {ES: "Usuarios de Zoho", EN: "Zoho users"},
	"seats.panel.users.never":    {ES: "todavía no obtenidos", EN: "not fetched yet"},
	"seats.panel.users.refresh":  {ES: "Actualizar usuarios de Zoho", EN: "Refresh Zoho users"},
	"seats.panel.seats":          {ES: "Puestos Conecta", EN: "Conecta seats"},
	"seats.panel.seats.value":    {ES: "sincronizados %s", EN: "synchronised %s"},
	"seats.panel.seats.never":    {ES: "todavía no sincronizados", EN: "not synchronised yet"},
	"seats.panel.seats.sync":     {ES: "Sincronizar con la centralita", EN: "Synchronise with the Centrex"},
	"seats.panel.events":         {ES: "Eventos de llamadas", EN: "Call events"},
	"seats.panel.events.http":    {ES: "por contacto HTTP (la centralita los envía al gateway)", EN: "by HTTP contact (the Centrex posts them to the gateway)"},
	"seats.panel.events.channel": {ES: "por canal de eventos (el gateway mantiene la conexión con la centralita)", EN: "by event channel (the gateway holds the connection to the Centrex)"},
	"seats.panel.events.live":    {ES: "suscripción activa", EN: "subscription live"},
	"seats.panel.events.down":    {ES: "sin suscripción activa", EN: "no live subscription"},
	"seats.panel.nocentrex":      {ES: "sin conexión con la centralita configurada (el operador la configura con gateway company set-centrex)", EN: "no Centrex connection configured (the operator sets it with gateway company set-centrex)"},
	"seats.export":               {ES: "Exportar vínculos (CSV)", EN: "Export links (CSV)"},
	"seats.audit":                {ES: "Registro de actividad", EN: "Audit log"},

	"activate.title":    {ES: "Activación de usuario Zoho en Conecta", EN: "Activation of a Zoho user in Conecta"},
	"activate.text":     {ES: "Se procederá a la activación del usuario conecta con el usuario zoho que se seleccione:", EN: "The Conecta user will be activated with the Zoho user you select:"},
	"activate.users":    {ES: "Usuarios Zoho:", EN: "Zoho users:"},
	"activate.choose":   {ES: "Selecciona usuario zoho", EN: "Select a Zoho user"},
	"activate.filter":   {ES: "Buscar usuario de Zoho", EN: "Search Zoho users"},
	"activate.linked":   {ES: "ya vinculado a %s", EN: "already linked to %s"},
	"activate.seat":     {ES: "Usuario Conecta:", EN: "Conecta user:"},
	"activate.nocache":  {ES: "No se ha podido obtener la lista de usuarios de Zoho.", EN: "The list of Zoho users could not be fetched."},
	"activate.required": {ES: "Seleccione un usuario de Zoho.", EN: "Select a Zoho user."},
	"activate.submit":   {ES: "Activar", EN: "Activate"},
	"deactivate.title":  {ES: "Desactivación de usuario Zoho en Conecta", EN: "Deactivation of a Zoho user in Conecta"},
	"deactivate.text":   {ES: "Se procederá a la desactivación del usuario conecta con el usuario zoho indicado:", EN: "The Conecta user will be deactivated from the Zoho user below:"},
	"deactivate.user":   {ES: "Usuario Zoho:", EN: "Zoho user:"},
	"deactivate.submit": {ES: "Desactivar", EN: "Deactivate"},

	"seats.ok.activated":   {ES: "%s está vinculado a %s: ClickToDial y CallControl activados en Zoho.", EN: "%s is linked to %s: ClickToDial and CallControl are on in Zoho."},
	"seats.stale.unlinked": {ES: "%s ya no está vinculado a ningún usuario de Zoho: se desvinculó desde otra pestaña o sesión. La tabla muestra su estado actual.", EN: "%s is no longer linked to any Zoho user: it was unlinked from another tab or session. The table shows its current state."},
	"seats.stale.linked":   {ES: "%s ya está vinculado a %s: se vinculó desde otra pestaña o sesión. La tabla muestra su estado actual.", EN: "%s is already linked to %s: it was linked from another tab or session. The table shows its current state."},
	"seats.stale.relinked": {ES: "%s ahora está vinculado a %s, no a %s: no se ha desactivado nada. La tabla muestra su estado actual.", EN: "%s is now linked to %s, not to %s: nothing was deactivated. The table shows its current state."},
	"seats.stale.gone":     {ES: "%s ya no está en la centralita: no se puede activar. La tabla muestra su estado actual.", EN: "%s is no longer in the Centrex: it cannot be activated. The table shows its current state."},
	"seats.stale.missing":  {ES: "Ese puesto ya no existe en esta empresa. La tabla muestra los puestos actuales.", EN: "That seat no longer exists in this company. The table shows the current seats."},
	"seats.result.none":    {ES: "No hay ninguna operación reciente que mostrar.", EN: "There is no recent operation to show."},
	"seats.ok.deactivated": {ES: "%s se ha desvinculado de Zoho.", EN: "%s has been unlinked from Zoho."},
	"seats.err.sync":       {ES: "No se ha podido sincronizar con la centralita: %s", EN: "Could not synchronise with the Centrex: %s"},
	"seats.err.nocentrex":  {ES: "Esta empresa no tiene configurada la conexión con la centralita.", EN: "This company has no Centrex connection configured."},

	"zoho.err.not_found":         {ES: "El puesto o el usuario de Zoho no existe en esta empresa.", EN: "The seat or the Zoho user does not exist in this company."},
	"zoho.err.seat_linked":       {ES: "Este puesto ya está vinculado a un usuario de Zoho: desactívelo antes de vincularlo a otro.", EN: "This seat is already linked to a Zoho user: deactivate it before linking it to another."},
	"zoho.err.zoho_user_linked":  {ES: "El usuario de Zoho %s ya está vinculado a otro puesto: un usuario de Zoho solo puede estar vinculado a un puesto.", EN: "The Zoho user %s is already linked to another seat: a Zoho user can be linked to one seat only."},
	"zoho.err.seat_gone":         {ES: "Este puesto ya no existe en la centralita.", EN: "This seat no longer exists in the Centrex."},
	"zoho.err.no_suggestion":     {ES: "No hay un usuario de Zoho sugerido para este puesto: actívelo uno a uno.", EN: "There is no suggested Zoho user for this seat: activate it on its own."},
	"zoho.err.zoho:INVALID_USER": {ES: "Zoho no reconoce a ese usuario (puede haber sido eliminado en Zoho). Actualice la lista de usuarios de Zoho.", EN: "Zoho does not recognise that user (it may have been removed in Zoho). Refresh the Zoho user list."},
}

// seatsCounted are the table's texts that count something.
var seatsCounted = map[string]map[Lang][]catalog.Message{
	"seats.showing": {
		ES: forms(3, "Mostrando %[1]d a %[2]d de %[3]d elemento", "Mostrando %[1]d a %[2]d de %[3]d elementos"),
		EN: forms(3, "Showing %[1]d to %[2]d of %[3]d entry", "Showing %[1]d to %[2]d of %[3]d entries"),
	},
	"seats.filtered": {
		ES: forms(1, "(filtrado de %d elemento en total)", "(filtrado de %d elementos en total)"),
		EN: forms(1, "(filtered from %d entry in total)", "(filtered from %d entries in total)"),
	},
	"seats.bulk.summary": {
		ES: vars("${ok}, ${fail}.", countVar{"ok", 1, "%[1]d correcto", "%[1]d correctos"}, countVar{"fail", 2, "%[2]d con error", "%[2]d con error"}),
		EN: vars("${ok}, ${fail}.", countVar{"ok", 1, "%[1]d succeeded", "%[1]d succeeded"}, countVar{"fail", 2, "%[2]d failed", "%[2]d failed"}),
	},
	"activate.more": {
		ES: forms(1, "Y %d usuario más: afine la búsqueda.", "Y %d usuarios más: afine la búsqueda."),
		EN: forms(1, "And %d more user: refine the search.", "And %d more users: refine the search."),
	},
	"activate.found": {
		ES: forms(1, "%d usuario de Zoho coincide.", "%d usuarios de Zoho coinciden."),
		EN: forms(1, "%d Zoho user matches.", "%d Zoho users match."),
	},
	"seats.ok.synced": {
		ES: vars("Sincronización con la centralita terminada: ${n}, ${added}, ${gone}.",
			countVar{"n", 1, "%[1]d puesto", "%[1]d puestos"}, countVar{"added", 2, "%[2]d nuevo", "%[2]d nuevos"},
			countVar{"gone", 3, "%[3]d desaparecido", "%[3]d desaparecidos"}),
		EN: vars("Synchronisation with the Centrex done: ${n}, ${added}, ${gone}.",
			countVar{"n", 1, "%[1]d seat", "%[1]d seats"}, countVar{"added", 2, "%[2]d new", "%[2]d new"},
			countVar{"gone", 3, "%[3]d gone", "%[3]d gone"}),
	},
	"seats.ok.users": {
		ES: forms(1, "Lista de usuarios de Zoho actualizada: %d usuario.", "Lista de usuarios de Zoho actualizada: %d usuarios."),
		EN: forms(1, "Zoho user list refreshed: %d user.", "Zoho user list refreshed: %d users."),
	},
	"seats.panel.users.value": {
		ES: forms(1, "%d, obtenido %s", "%d, obtenidos %s"),
		EN: forms(1, "%d, fetched %s", "%d, fetched %s"),
	},
}

// csvMessages are the texts of the CSV export that the table does not
// already have.
var csvMessages = map[string]map[Lang]string{
	"csv.zoho_user_id": {ES: "Id. usuario Zoho", EN: "Zoho user id"},
	"csv.in_centrex":   {ES: "En la centralita", EN: "In the Centrex"},
	"csv.yes":          {ES: "Sí", EN: "Yes"},
	"csv.no":           {ES: "No", EN: "No"},
}
