// The top bar's account menu with a sign-out that POSTs (AdminJS's own is a GET link, which a page elsewhere
// could trigger): a form of our page, so the request carries our Origin and passes the origin check.
import React from 'react';
import { Box, CurrentUserNav } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';

const LoggedIn = ({ session, paths }) => {
  const { translateButton } = useTranslation();
  const signOut = (event) => {
    event.preventDefault();
    const form = document.createElement('form');
    form.method = 'post';
    form.action = paths.logoutPath;
    document.body.appendChild(form);
    form.submit();
  };
  return (
    <Box flexShrink={0} data-css="logged-in">
      <CurrentUserNav
        name={session.email}
        title={session.title}
        avatarUrl={session.avatarUrl}
        dropActions={[{ label: translateButton('logout'), onClick: signOut, icon: 'LogOut' }]}
      />
    </Box>
  );
};

export default LoggedIn;
