import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadTs } from './load-ts.mjs'

const { codeFrom, headingPath, headingText } = await loadTs('src/screens/import/plan.ts')

const line = (key, title, parent_key = null, number = null, level = 1) => ({ key, title, line: 1, parent_key, number, level })

test('a heading shows its number once', () => {
  assert.equal(headingText(line('2.3', '2.3 Pakketbeheer', null, '2.3')), '2.3 Pakketbeheer')
  assert.equal(headingText(line('2.3', 'Pakketbeheer', null, '2.3')), '2.3 Pakketbeheer')
  assert.equal(headingText(line('overig', 'Overig')), 'Overig')
})

test('a milestone shows the path of its heading from the top-level line', () => {
  const plan = {
    milestones: [],
    action_lines: [line('2', '2 Passende zorg', null, '2'), line('2.3', '2.3 Pakketbeheer', '2', '2.3', 2), line('2.3/geneesmiddelen', 'Geneesmiddelen', '2.3', null, 3)],
  }
  assert.equal(headingPath(plan, '2.3/geneesmiddelen'), '2 Passende zorg › 2.3 Pakketbeheer › Geneesmiddelen')
  assert.equal(headingPath(plan, null), null)
  assert.equal(headingPath(plan, 'missing'), null)
})

test('a party code is guessed from the name when the server would accept it', () => {
  assert.equal(codeFrom('InEen'), 'INEEN')
  assert.equal(codeFrom('NZa'), 'NZA')
  assert.equal(codeFrom('V&VN'), 'V&VN')
  assert.equal(codeFrom('Nederlandse Zorgautoriteit'), '')
  assert.equal(codeFrom('X'), '')
})
