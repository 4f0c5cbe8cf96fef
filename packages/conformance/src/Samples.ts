/**
 * Valid payloads of every app in their encoded (JSON) form, as a device would send them. `n` varies the content
 * so that many distinct records can be made.
 */
import type { App } from "@custos/core/domain/App"

const at = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString()
const hex = (n: number) => n.toString(16).padStart(64, "0")

export const samples: { readonly [A in App]: (n: number) => Record<string, unknown> } = {
  gallery: (n) => ({
    fileName: `IMG_${n}.jpg`,
    folder: "Camera",
    mediaType: "photo",
    mimeType: "image/jpeg",
    takenAt: at(n),
    width: 4000,
    height: 3000,
    size: 1000 + n,
    sha256: hex(n)
  }),
  messages: (n) => ({
    address: "+49 30 1234567",
    body: `Message number ${n}`,
    direction: n % 2 === 0 ? "received" : "sent",
    at: at(n),
    read: true,
    favourite: n % 3 === 0,
    simNumber: "+49 170 7654321"
  }),
  contacts: (n) => ({
    name: { given: "Ada", family: `Example ${n}`, formatted: `Ada Example ${n}` },
    phones: [{ label: "mobile", number: "+44 20 7946 0000" }],
    emails: [{ label: "home", address: `ada${n}@example.org` }],
    addresses: []
  }),
  "call-history": (n) => ({
    number: "+1 555 0100",
    direction: n % 3 === 0 ? "missed" : n % 3 === 1 ? "incoming" : "outgoing",
    startedAt: at(n),
    durationSeconds: n % 3 === 0 ? 0 : 30 + n,
    simNumber: "+1 555 0199"
  }),
  notes: (n) => ({ kind: "note", title: `Note ${n}`, body: `Body of note ${n}`, private: n % 2 === 1 }),
  recordings: (n) => ({
    title: `Recording ${n}`,
    recordedAt: at(n),
    durationMs: 60_000 + n,
    mimeType: "audio/mp4",
    size: 50_000 + n,
    sha256: hex(n + 1)
  }),
  calendar: (n) => ({
    title: `Meeting ${n}`,
    startsAt: at(n),
    endsAt: at(n + 30),
    allDay: false,
    reminders: [10]
  }),
  browser: (n) => ({ kind: "history", url: `https://example.org/page/${n}`, title: `Page ${n}`, visitedAt: at(n) }),
  wifi: (n) => ({
    ssid: `Home network ${n}`,
    security: "wpa2-psk",
    password: `correct horse ${n}`,
    hidden: false,
    autoJoin: true
  }),
  bluetooth: (n) => ({
    name: `Headphones ${n}`,
    address: `00:1A:7D:DA:71:${(n % 256).toString(16).padStart(2, "0").toUpperCase()}`,
    deviceClass: "audio",
    pairedAt: at(n)
  }),
  "frequent-phrases": (n) => ({ text: `On my way, phrase ${n}`, position: n }),
  "home-screen": (n) => ({
    deviceModel: "Phone 12",
    takenAt: at(n),
    launcher: "org.example.launcher",
    grid: { columns: 4, rows: 6 },
    pages: [{ index: 0, items: [{ kind: "app", packageName: "org.example.mail", label: "Mail", x: 0, y: 0 }] }],
    dock: [],
    installedApps: [{ packageName: "org.example.mail", label: "Mail" }]
  })
}
