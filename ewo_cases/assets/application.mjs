// Progressive enhancement only: every page works without JavaScript.
import { initAll as initGovuk } from './govuk-frontend.min.js'
import { initAll as initMoj } from './moj-frontend.min.js'

initGovuk()
initMoj()

// Show how far an upload has got: a whole year's marks can be hundreds of megabytes. Without
// JavaScript the form posts normally and the result page appears when the import is done.
for (const form of document.querySelectorAll('form.app-upload')) {
  form.addEventListener('submit', (event) => {
    const file = form.querySelector('input[type=file]')
    if (!file || !file.files.length || typeof XMLHttpRequest === 'undefined') return
    event.preventDefault()
    const panel = form.querySelector('.app-upload__progress')
    const bar = panel.querySelector('progress')
    const status = panel.querySelector('.app-upload__status')
    const button = form.querySelector('button[type=submit]')
    panel.hidden = false
    button.disabled = true
    const request = new XMLHttpRequest()
    request.open('POST', form.action || window.location.href)
    request.setRequestHeader('Accept', 'application/json')
    request.upload.addEventListener('progress', (progress) => {
      if (!progress.lengthComputable) return
      bar.value = Math.round((100 * progress.loaded) / progress.total)
      status.textContent = `Uploaded ${bar.value}%`
    })
    request.upload.addEventListener('load', () => {
      bar.removeAttribute('value')
      status.textContent = 'Uploaded. Checking every row and importing: this can take a minute for a large file.'
    })
    request.addEventListener('load', () => {
      const answer = JSON.parse(request.responseText || '{}')
      if (answer.redirect) {
        window.location.assign(answer.redirect)
      } else {
        HTMLFormElement.prototype.submit.call(form) // let the server show what is wrong
      }
    })
    request.addEventListener('error', () => HTMLFormElement.prototype.submit.call(form))
    request.send(new FormData(form))
  })
}
