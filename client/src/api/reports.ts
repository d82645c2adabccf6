// Frozen progress reports (freeze for a period, list, one report, compare two) and a body's
// public progress page setting. The report files download from `fileUrl`.
import { request } from './http'
import type { Page } from './types'

export interface ReportRow {
  id: number
  body_id: number
  title: string
  action_line: string | null
  status: string
  due: string
  deadline: string | null
  leads: string[]
}

export interface ReportMove {
  id: number
  title: string
  from_status: string
  to_status: string
  old_due: string | null
  new_due: string | null
  reason: string | null
  agreed_with: string | null
  day: string
}

export interface ReportTotals {
  milestones: number
  done: number
  moved: number
  late: number
  new: number
  due_next: number
}

export interface BodySection {
  body_id: number
  body_name: string
  totals: ReportTotals
  done: ReportRow[]
  moved: ReportMove[]
  late: ReportRow[]
  new: ReportRow[]
  due_next: ReportRow[]
  milestones: ReportRow[]
}

export interface ReportContent {
  period: string
  from: string
  to: string
  as_of: string
  next_from: string | null
  next_to: string | null
  scope: { kind: string; body_id: number | null }
  previous_report_id: number | null
  totals: ReportTotals
  bodies: BodySection[]
}

export interface ReportSummary {
  id: number
  body_id: number | null
  body_name: string | null
  period: string
  content_hash: string
  previous_id: number | null
  frozen_by: number | null
  frozen_by_name: string | null
  frozen_at: number
}

export interface Report extends ReportSummary {
  content: ReportContent
}

export interface Comparison {
  from: ReportSummary
  to: ReportSummary
  changes: {
    added: ReportRow[]
    removed: ReportRow[]
    status_changed: { id: number; title: string; from: string; to: string }[]
    date_moved: { id: number; title: string; from: string; to: string }[]
  }
}

export interface PublicPageSetting {
  body_id: number
  slug: string
  enabled: boolean
  intro: string
  milestones: number[]
  action_lines: number[]
}

export const list = (): Promise<Page<ReportSummary>> => request('GET', '/api/programme/reports?limit=200')
export const freeze = (period: string, bodyId: number | null): Promise<Report> =>
  request('POST', '/api/programme/reports', bodyId === null ? { period } : { period, body_id: bodyId })
export const get = (id: number): Promise<Report> => request('GET', `/api/programme/reports/${id}`)
export const compare = (from: number, to: number): Promise<Comparison> =>
  request('GET', `/api/programme/reports/compare?from=${from}&to=${to}`)
export const fileUrl = (id: number, format: 'pdf' | 'docx' | 'csv'): string => `/api/programme/reports/${id}?format=${format}`

export const publicPage = (bodyId: number): Promise<PublicPageSetting> => request('GET', `/api/bodies/${bodyId}/public-page`)
export const savePublicPage = (bodyId: number, input: Omit<PublicPageSetting, 'body_id'>): Promise<PublicPageSetting> =>
  request('PUT', `/api/bodies/${bodyId}/public-page`, input)
