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

export { sizeText } from './rules'
