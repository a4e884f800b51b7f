// Where the page is, from the address's hash: the catalog (#/), a lab (#/lab/<id>), the
// progress page (#/progress, #/progress/<lab> with that lab's check runs open). A hash is what
// survives a reload and what Electron opens a lab window at.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'catalog' }
  | { page: 'lab'; lab: string }
  | { page: 'progress'; lab?: string };

const ID = '([a-z0-9][a-z0-9._-]{0,63})';

export function parseRoute(hash: string): Route {
  let m = new RegExp(`^#/lab/${ID}$`).exec(hash);
  if (m) return { page: 'lab', lab: m[1]! };
  m = new RegExp(`^#/progress(?:/${ID})?$`).exec(hash);
  if (m) return m[1] ? { page: 'progress', lab: m[1] } : { page: 'progress' };
  return { page: 'catalog' };
}

export function hrefFor(route: Route): string {
  switch (route.page) {
    case 'lab': return `#/lab/${route.lab}`;
    case 'progress': return route.lab ? `#/progress/${route.lab}` : '#/progress';
    default: return '#/';
  }
}

export function navigate(route: Route): void {
  window.location.hash = hrefFor(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}
