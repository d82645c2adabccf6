// A deterministic 50-page advice draft (~25,000 words) as HTML, for the performance run.
const WORDS = (
  'de het een en van in op te dat voor met zorg pakket partijen werkgroep advies passende ' +
  'zorginstituut verzekeraars patiënten zorgaanbieders afspraken mijlpaal rol verantwoordelijkheid ' +
  'beoordeling basispakket kosten effectiviteit uitvoering regie escalatie overleg bestuurlijk ' +
  'kennis inzicht signalen evaluatie richtlijn kwaliteit toegankelijkheid betaalbaarheid ' +
  'gezamenlijk proces voorstel planning monitor voortgang besluit vaststellen consultatie'
).split(' ')

function rng(seed) {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function sentenceWords(random, count) {
  const words = Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)])
  words[0] = words[0][0].toUpperCase() + words[0].slice(1)
  return words.join(' ') + '.'
}

/** 50 pages × (heading + 9 paragraphs of 50 words + a 5-item list of 10 words) = 25,000 words. */
export function fiftyPageDraft() {
  const random = rng(2026)
  const parts = []
  let words = 0
  for (let page = 1; page <= 50; page++) {
    parts.push(`<h2>${page}. Hoofdstuk ${page}: afspraken over pakketbeheer</h2>`)
    for (let p = 0; p < 9; p++) {
      parts.push(`<p>${sentenceWords(random, 20)} ${sentenceWords(random, 30)}</p>`)
      words += 50
    }
    parts.push(`<ul>${Array.from({ length: 5 }, () => `<li><p>${sentenceWords(random, 10)}</p></li>`).join('')}</ul>`)
    words += 50
  }
  return { html: parts.join(''), words, pages: 50, paragraphs: 50 * 14 }
}
