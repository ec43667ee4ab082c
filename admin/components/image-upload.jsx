// The post's image in AdminJS: a thumbnail in lists, the picture on the record page, and a drop zone in the
// form whose file goes to the server with the record (the server checks the bytes again: src/blog/post-images.ts).
import React from 'react';
import { Box, DropZone, FormGroup, FormMessage, Label, ValueGroup } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';

const MIME_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
const MAX_SIZE = 2 * 1024 * 1024;
// Texts (components.PostImage of admin/locale) without {{placeholders}}: the drop zone's own interpolation is
// not wired up in the admin bundle.
const DROP_ZONE_KEYS = ['placeholder', 'acceptedSize', 'acceptedType', 'unsupportedSize', 'unsupportedType'];

const ImageUpload = (props) => {
  const { property, record, onChange, where } = props;
  const { translateProperty, translateComponent } = useTranslation();
  const text = (key) => translateComponent(`PostImage.${key}`);
  const label = translateProperty(property.label, property.resourceId);
  const stored = record && record.params ? record.params.imagePath : null;
  const baseUrl = (property.custom && property.custom.baseUrl) || '/uploads/';
  // A stored image's path is its URL (/images/<sha256>.<ext>); an older one is relative to the uploads folder.
  const src = stored ? (stored.startsWith('/') ? stored : `${baseUrl}${stored}`) : null;

  if (where === 'list') {
    return src ? <img src={src} alt="" style={{ maxHeight: 40, maxWidth: 80 }} /> : null;
  }
  if (where === 'show') {
    return (
      <ValueGroup label={label}>
        {src ? <img src={src} alt="" style={{ maxWidth: '100%', maxHeight: 320 }} /> : text('none')}
      </ValueGroup>
    );
  }
  const error = record && record.errors ? record.errors[property.path] : null;
  return (
    <FormGroup error={Boolean(error)}>
      <Label>{label}</Label>
      {src ? (
        <Box mb="default">
          <img src={src} alt="" style={{ maxWidth: 240, maxHeight: 160 }} />
        </Box>
      ) : null}
      <DropZone
        multiple={false}
        validate={{ mimeTypes: MIME_TYPES, maxSize: MAX_SIZE }}
        translations={Object.fromEntries(DROP_ZONE_KEYS.map((key) => [key, text(key)]))}
        onChange={(files) => onChange(property.path, files.length > 0 ? files[0] : null)}
      />
      <FormMessage>{error ? error.message : text('hint')}</FormMessage>
    </FormGroup>
  );
};

export default ImageUpload;
