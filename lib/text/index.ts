/** Text encoding of panels: registered templates, the encoder and encoded-text folders. */
export {
  getTemplate, registerTemplate, listTemplates, continuationFor, continuationFormat, DEFAULT_TEMPLATE, END_MARKER,
  type TemplateRef, type TextTemplate,
} from './templates';
export { encodePanel, type EncodedText } from './encode';
export { writeEncoded, readEncoded } from './encoded-io';
