// natural ships typings for its package root only; importing the root loads database clients and
// prints to stdout (see DESIGN.md), so Lacuna imports the Porter stemmer module directly.
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  interface PorterStemmer {
    stem(token: string): string;
    step1a(token: string): string;
    step1b(token: string): string;
    step1c(token: string): string;
  }
  const stemmer: PorterStemmer;
  export default stemmer;
}
