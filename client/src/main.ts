import './styles.css'
import { NetworkError, onUnauthorized, session } from './api'
import type { App } from './app'
import { onLangChange, t } from './i18n'
import { matchRoute, interceptLinks, type Route, type Screen } from './router'
import { announce } from './ui/announce'
import { describeError } from './ui/errors'
import { mountShell } from './ui/shell'
import { homeScreen } from './screens/home'
import { notFoundScreen } from './screens/not-found'
import { signInScreen } from './screens/sign-in'
import { editorScreen } from './screens/editor'
import { draftScreen } from './screens/draft'
import { compareScreen } from './screens/draft/compare'
import { groupScreen } from './screens/group'
import { adminScreen } from './screens/admin'
import { settingsScreen } from './screens/settings'
import { inboxScreen } from './screens/inbox'
import { importScreen } from './screens/import'
import { programmeScreen } from './screens/programme'
import { monitorScreen } from './screens/monitor'
import { reportsScreen } from './screens/reports'
import { disputeScreen } from './screens/dispute'
import { bodySettingsScreen } from './screens/body-settings'
import { milestoneScreen } from './screens/milestone'
import { roleAgreementLinkScreen } from './screens/role-agreement-link'
import { actionLineFormScreen } from './screens/programme/action-line-form'
import { milestoneFormScreen } from './screens/programme/milestone-form'
import { calendarScreen } from './screens/calendar'
import { meetingScreen } from './screens/meeting'
import { requestFormScreen } from './screens/decisions/request-form'
import { requestScreen } from './screens/decisions/request'
import { registerScreen } from './screens/decisions/register'
import { consultationScreen } from './screens/consultation'
import { guestOnlyScreen, guestScreen } from './screens/consultation/guest'
import { directory } from './api'
import { setServedColours } from './parties'

const root = document.getElementById('app')
if (!root) throw new Error('#app missing from index.html')

const shell = mountShell(root, () => void signOut())
let current: Screen | null = null
let firstRender = true

const app: App = {
  me: null,
  navigate(path, options = {}) {
    if (options.replace) history.replaceState(null, '', path)
    else history.pushState(null, '', path)
    void render()
  },
  async refreshUser() {
    app.me = await session.me()
    shell.setUser(app.me)
    if (app.me && !app.me.is_guest) {
      // party colours as the server serves them (presence, chips, comparisons)
      await directory
        .listParties()
        .then(setServedColours)
        .catch(() => undefined)
    }
    return app.me
  },
}

const routes: Route[] = [
  { pattern: /^\/$/, auth: true, create: () => homeScreen(app) },
  { pattern: /^\/sign-in\/?$/, auth: false, create: (_p, query) => signInScreen(app, query) },
  { pattern: /^\/groups\/(\d+)\/?$/, auth: true, create: ([id]) => groupScreen(app, Number(id)) },
  { pattern: /^\/groups\/(\d+)\/import\/?$/, auth: true, create: ([id]) => importScreen(app, Number(id)) },
  { pattern: /^\/programme\/?$/, auth: true, create: (_p, query) => monitorScreen(app, query) },
  { pattern: /^\/groups\/(\d+)\/programme\/?$/, auth: true, create: ([id], query) => programmeScreen(app, Number(id), query) },
  { pattern: /^\/programme\/reports\/?$/, auth: true, create: (_p, query) => reportsScreen(app, query) },
  { pattern: /^\/groups\/(\d+)\/settings\/?$/, auth: true, create: ([id]) => bodySettingsScreen(app, Number(id)) },
  { pattern: /^\/groups\/(\d+)\/action-lines\/new\/?$/, auth: true, create: ([id]) => actionLineFormScreen(app, { bodyId: Number(id) }) },
  { pattern: /^\/action-lines\/(\d+)\/edit\/?$/, auth: true, create: ([id]) => actionLineFormScreen(app, { lineId: Number(id) }) },
  { pattern: /^\/groups\/(\d+)\/milestones\/new\/?$/, auth: true, create: ([id]) => milestoneFormScreen(app, { bodyId: Number(id) }) },
  { pattern: /^\/milestones\/(\d+)\/edit\/?$/, auth: true, create: ([id]) => milestoneFormScreen(app, { milestoneId: Number(id) }) },
  { pattern: /^\/role-agreements\/(\d+)\/?$/, auth: true, create: ([id]) => roleAgreementLinkScreen(app, Number(id)) },
  { pattern: /^\/milestones\/(\d+)\/?$/, auth: true, create: ([id], query) => milestoneScreen(app, Number(id), query) },
  { pattern: /^\/disputes\/(\d+)\/?$/, auth: true, create: ([id]) => disputeScreen(app, Number(id)) },
  { pattern: /^\/drafts\/(\d+)\/?$/, auth: true, create: ([id]) => draftScreen(app, Number(id)) },
  { pattern: /^\/drafts\/(\d+)\/compare\/?$/, auth: true, create: ([id], query) => compareScreen(app, Number(id), query) },
  { pattern: /^\/drafts\/([^/]+)\/?$/, auth: true, create: ([id]) => editorScreen(app, id ?? '') },
  { pattern: /^\/inbox\/?$/, auth: true, create: () => inboxScreen(app) },
  { pattern: /^\/settings\/?$/, auth: true, create: () => settingsScreen(app) },
  { pattern: /^\/admin\/?$/, auth: true, create: () => adminScreen(app) },
  { pattern: /^\/calendar\/?$/, auth: true, create: (_p, query) => calendarScreen(app, query) },
  { pattern: /^\/meetings\/(\d+)\/?$/, auth: true, create: ([id]) => meetingScreen(app, Number(id)) },
  { pattern: /^\/decision-requests\/new\/?$/, auth: true, create: (_p, query) => requestFormScreen(app, query) },
  { pattern: /^\/decision-requests\/(\d+)\/?$/, auth: true, create: ([id]) => requestScreen(app, Number(id)) },
  { pattern: /^\/decisions\/?$/, auth: true, create: (_p, query) => registerScreen(app, query) },
  { pattern: /^\/groups\/(\d+)\/decisions\/?$/, auth: true, create: ([id], query) => registerScreen(app, query, Number(id)) },
  { pattern: /^\/consultaties\/(\d+)\/?$/, auth: true, create: ([id]) => consultationScreen(app, Number(id)) },
  { pattern: /^\/gast\/([A-Za-z0-9_-]+)\/?$/, auth: false, create: ([secret]) => guestScreen(app, secret ?? '') },
]

/** What a guest account may open: its consultation, the guest link and signing in. */
const GUEST_PATHS = [/^\/consultaties\/\d+\/?$/, /^\/gast(\/|$)/, /^\/sign-in\/?$/]

async function render(): Promise<void> {
  const { pathname, search } = location
  const match = matchRoute(routes, pathname)
  if (match?.route.auth && !app.me) {
    const next = pathname + search
    app.navigate(`/sign-in${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`, { replace: true })
    return
  }
  current?.destroy?.()
  const guestRefused = app.me?.is_guest === true && !GUEST_PATHS.some((pattern) => pattern.test(pathname))
  const screen = guestRefused ? guestOnlyScreen() : match ? match.route.create(match.params, new URLSearchParams(search)) : notFoundScreen()
  current = screen
  shell.main.replaceChildren()
  await screen.mount(shell.main)
  if (current !== screen) return
  document.title = `${screen.title()} — ${t('app.name')}`
  document.querySelectorAll<HTMLAnchorElement>('.main-nav a').forEach((link) => {
    if (link.pathname === pathname || (link.pathname !== '/' && pathname.startsWith(link.pathname))) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  })
  if (location.hash.length > 1) {
    document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView()
  }
  if (!firstRender) {
    // move focus to the new screen's heading so screen-reader users hear where they are
    const heading = shell.main.querySelector<HTMLElement>('h1')
    heading?.setAttribute('tabindex', '-1')
    heading?.focus()
  }
  firstRender = false
}

async function signOut(): Promise<void> {
  try {
    await session.signOut()
  } catch (error) {
    announce(describeError(error))
    return
  }
  app.me = null
  shell.setUser(null)
  app.navigate('/sign-in?signed-out=1')
}

onUnauthorized(() => {
  if (!app.me) return
  app.me = null
  shell.setUser(null)
  app.navigate(`/sign-in?expired=1&next=${encodeURIComponent(location.pathname)}`)
})

window.addEventListener('popstate', () => void render())
interceptLinks(document.body, (path) => app.navigate(path))
onLangChange(() => {
  if (current) document.title = `${current.title()} — ${t('app.name')}`
})

async function boot(): Promise<void> {
  try {
    await app.refreshUser()
  } catch (error) {
    // the server is unreachable: the sign-in screen says so
    shell.setUser(null)
    if (error instanceof NetworkError && location.pathname !== '/sign-in') {
      history.replaceState(null, '', `/sign-in?unreachable=1&next=${encodeURIComponent(location.pathname)}`)
    }
  }
  await render()
}

void boot()
