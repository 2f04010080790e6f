// placeholder until the actions land
