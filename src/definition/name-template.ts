/**
 * File and folder names from templates: {name}, {date} (YYYYMMDD) and {time} (HHmmss), in local time,
 * since that is what the admin reading the folder list expects.
 */
export function fillTemplate(template: string, name: string, now: Date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
  const time = `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return template.replaceAll('{name}', name).replaceAll('{date}', date).replaceAll('{time}', time);
}
