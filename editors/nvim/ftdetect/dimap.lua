-- Table maps of dual-write and Data Integrator: *.dimap files.
vim.filetype.add({
  extension = {
    dimap = 'dimap',
  },
})
