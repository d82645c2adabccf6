// What screens get from the app: the signed-in user and navigation.
import type { Me } from './api'

export interface App {
  me: Me | null
  navigate(path: string, options?: { replace?: boolean }): void
  /** Reloads `/api/me` (after signing in) and updates the header. */
  refreshUser(): Promise<Me | null>
}
