// Labels shared by the consultation screens.
import type { ConsultationStatus } from '../../api/consent'
import { tr, type MessageKey } from '../../i18n'
import { h } from '../../ui/dom'

const STATUS_KEYS: Record<ConsultationStatus, MessageKey> = {
  aangekondigd: 'consultation.status.aangekondigd',
  open: 'consultation.status.open',
  gesloten: 'consultation.status.gesloten',
  ingetrokken: 'consultation.status.ingetrokken',
}

export function consultationChip(status: ConsultationStatus): HTMLElement {
  const el = h('span', { class: `state-chip consultation-${status}`, 'data-consultation-status': status })
  const key = STATUS_KEYS[status]
  if (key) tr(el, key)
  else el.textContent = status
  return el
}

/** "1.2 MB" / "340 kB". */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
  return `${Math.max(1, Math.round(bytes / 1024))} kB`
}
