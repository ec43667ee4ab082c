// The back office's home: what this place is and the sections the signed-in role may open (AdminJS's own
// dashboard is a page of links to its documentation). Its texts are components.BackOfficeHome of admin/locale.
import React from 'react';
import { useSelector } from 'react-redux';
import { Box, H2, Link, Text } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';

const Dashboard = () => {
  const { translateLabel, translateComponent } = useTranslation();
  const resources = useSelector((state) => state.resources).filter((resource) => resource.href);
  return (
    <Box variant="grey">
      <Box variant="white">
        <H2>{translateComponent('BackOfficeHome.title')}</H2>
        <Text mb="xl">{translateComponent('BackOfficeHome.intro')}</Text>
        {resources.map((resource) => (
          <Box key={resource.id} mb="default">
            <Link href={resource.href}>{translateLabel(resource.name, resource.id)}</Link>
          </Box>
        ))}
      </Box>
    </Box>
  );
};

export default Dashboard;
