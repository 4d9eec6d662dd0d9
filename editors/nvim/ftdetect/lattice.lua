-- `.lat` files are Lattice.
vim.cmd([[autocmd BufRead,BufNewFile *.lat setfiletype lattice]])
